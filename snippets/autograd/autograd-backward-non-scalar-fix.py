t1 = torch.randn(2, 2, requires_grad=True)
t2 = torch.randn(2, 2, requires_grad=True)

y = t1 * t2
y.sum().backward()
print(torch.equal(t1.grad, t2), torch.equal(t2.grad, t1))

t1.grad = None
t2.grad = None
y = t1 * t2
y.backward(torch.ones_like(y))
print(torch.equal(t1.grad, t2), torch.equal(t2.grad, t1))
