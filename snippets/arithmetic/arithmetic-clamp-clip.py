a = torch.rand(5)
clipped = torch.clip(a, -0.5, 0.5)
clamped = torch.clamp(a, -0.5, 0.5)
print(a, clipped, sep="\n")
print(torch.equal(clipped, clamped))

b = torch.randn(6)
only_min = b.clamp(min=0)
print(only_min)
