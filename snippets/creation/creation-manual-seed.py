torch.random.manual_seed(42)
first = torch.randn(2, 3)

torch.manual_seed(42)
second = torch.randn(2, 3)

print(first)
print(torch.equal(first, second))
