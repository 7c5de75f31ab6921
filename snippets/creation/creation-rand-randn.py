uniform = torch.rand(2, 3)
normal = torch.randn(2, 3)
ints = torch.randint(0, 10, [2, 3])
print(uniform, normal, ints, sep="\n")

many_uniform = torch.rand(10000)
many_normal = torch.randn(10000)
