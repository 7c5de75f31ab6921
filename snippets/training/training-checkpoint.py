import io

x = torch.randn(64, 3)
y = x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.1 * torch.randn(64, 1)


def make():
    model = nn.Linear(3, 1)
    return model, torch.optim.Adam(model.parameters(), lr=0.05)


def train(model, optimizer, steps):
    for _ in range(steps):
        loss = F.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


model, optimizer = make()
train(model, optimizer, 20)
checkpoint = io.BytesIO()
torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": 20}, checkpoint)
train(model, optimizer, 20)
straight_on = model.weight.detach().clone()

checkpoint.seek(0)
saved = torch.load(checkpoint)
resumed, resumed_optimizer = make()
resumed.load_state_dict(saved["model"])
resumed_optimizer.load_state_dict(saved["optimizer"])
train(resumed, resumed_optimizer, 20)

weights_only, fresh_optimizer = make()
weights_only.load_state_dict(saved["model"])
train(weights_only, fresh_optimizer, 20)

print(saved["step"], list(saved["optimizer"]["state"][0]))
print(torch.equal(resumed.weight, straight_on), torch.equal(weights_only.weight, straight_on))
