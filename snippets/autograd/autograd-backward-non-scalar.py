t1 = torch.randn(2, 2, requires_grad=True)
t2 = torch.randn(2, 2, requires_grad=True)

y = t1 * t2
print(y.shape)
y.backward()
