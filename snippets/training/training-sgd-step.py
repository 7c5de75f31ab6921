model = nn.Linear(in_features=10, out_features=5)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
x = torch.randn(4, 10)
target = torch.randn(4, 5)
before = model.weight.detach().clone()

loss = F.mse_loss(model(x), target)
loss.backward()
optimizer.step()
print(torch.allclose(model.weight, before - 0.01 * model.weight.grad))

optimizer.zero_grad()
print(model.weight.grad)
