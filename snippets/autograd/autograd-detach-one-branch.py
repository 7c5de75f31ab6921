x = torch.ones(5, requires_grad=True)
y = x**2
z = x.detach() ** 3
r = (y + z).sum()
r.backward()
print(x.grad)
