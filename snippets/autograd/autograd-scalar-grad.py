x = torch.tensor(10, requires_grad=True, dtype=torch.float64)
f = x**2 + 20
f.backward()
print(x.grad)
