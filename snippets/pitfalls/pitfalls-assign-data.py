x = torch.ones(5, requires_grad=True)
z = x**2
x.data = torch.tensor([2, 2, 2, 2, 2], dtype=float)
y = x**3
k = (z + y).sum()
k.backward()
print(x.grad)
