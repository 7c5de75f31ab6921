a = torch.randn(3, 4)
b = torch.randn(3, 4)
product = a * b
c = a @ b
