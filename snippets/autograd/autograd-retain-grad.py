x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
y.retain_grad()
z = x + 1
loss = (y**2).sum() + z.sum()
loss.backward()

print(x.grad)
print(y.grad)
print(z.grad)
