x = torch.ones(5, requires_grad=True)
y = x**2
x_detached = x.detach()
x_detached[0] = 100
y.sum().backward()
