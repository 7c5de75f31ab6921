x = torch.ones(5, requires_grad=True)
y = x * 2
z = y**2
y.add_(1)
z.sum().backward()
