x = torch.randn(8, 3)
y = torch.randn(8, 1)
model = nn.Linear(3, 1)
w_before = model.weight.detach().clone()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=0.01)

loss = F.mse_loss(model(x), y)
optimizer.zero_grad()
loss.backward()
grad = model.weight.grad.clone()
optimizer.step()

expected = w_before - 0.1 * (grad + 0.01 * w_before)
print(torch.allclose(model.weight, expected))
