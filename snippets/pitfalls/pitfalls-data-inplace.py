x = torch.ones(3, requires_grad=True)
y = x**2
x.data.mul_(10)
y.sum().backward()
print(x.grad)
