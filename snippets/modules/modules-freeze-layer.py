model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
for param in model[0].parameters():
    param.requires_grad = False

loss = (model(torch.randn(5, 4)) ** 2).mean()
loss.backward()
print(model[0].weight.grad, model[2].weight.grad is not None)

trainable = [name for name, p in model.named_parameters() if p.requires_grad]
print(trainable)
