x = torch.randn(8, 3)
y = torch.randn(8, 1)
model = nn.Linear(3, 1)
lam = 0.005

mse = F.mse_loss(model(x), y)
l2 = (model.weight**2).sum()
loss = mse + lam * l2

(mse_grad,) = torch.autograd.grad(mse, model.weight, retain_graph=True)
loss.backward()
print(torch.allclose(model.weight.grad, mse_grad + 2 * lam * model.weight))
