x = torch.ones(5, requires_grad=True)
y = x**2
z = x**3
r = (z + y).sum()
r.backward()
print(x.grad)
