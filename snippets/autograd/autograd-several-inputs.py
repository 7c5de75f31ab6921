x1 = torch.tensor(10, requires_grad=True, dtype=torch.float64)
x2 = torch.tensor(20, requires_grad=True, dtype=torch.float64)
f = x1**2 + x2**2 + 2 * x1
f.backward()
print(x1.grad, x2.grad)

v1 = torch.tensor([10, 20, 30, 40], requires_grad=True, dtype=torch.float64)
v2 = torch.tensor([40, 50, 60, 70], requires_grad=True, dtype=torch.float64)
g = (v1**2 + v2**2 + 2 * v1).sum()
g.backward()
print(v1.grad, v2.grad)
