x = torch.ones(5, requires_grad=True)
z = x**2
x.detach = torch.tensor([2, 2, 2, 2, 2], dtype=float)
y = x**3
k = (z + y).sum()
k.backward()
print(x.grad)

try:
    x.detach()
except TypeError as error:
    print("x.detach() now fails:", error)
