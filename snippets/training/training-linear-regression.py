import matplotlib.pyplot as plt
from torch.utils.data import DataLoader, TensorDataset

x = torch.randn(100, 1)
y = 41.7 * x + 14.5 + 10 * torch.randn(100, 1)

dataloader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True, num_workers=0)
model = nn.Linear(in_features=1, out_features=1)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.02)


def train_one_epoch():
    total = 0.0
    for train_x, train_y in dataloader:
        loss = criterion(model(train_x), train_y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(dataloader)


epoch_losses = [train_one_epoch() for _ in range(20)]
w, b = model.weight.item(), model.bias.item()

x_mean, y_mean = x.mean(), y.mean()
best_w = ((x - x_mean) * (y - y_mean)).sum() / ((x - x_mean) ** 2).sum()
best_b = y_mean - best_w * x_mean
print(f"learned: y = {w:.2f}x + {b:.2f}, least squares: y = {best_w:.2f}x + {best_b:.2f}")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
left.scatter(x.numpy(), y.numpy(), alpha=0.6, label="data")
x_line = torch.linspace(x.min(), x.max(), 50).reshape(-1, 1)
with torch.no_grad():
    left.plot(x_line.numpy(), model(x_line).numpy(), "r-", label=f"y = {w:.1f}x + {b:.1f}")
left.legend()
right.plot(range(1, len(epoch_losses) + 1), epoch_losses)
right.set_title("Training loss")
right.set_xlabel("epoch")
plt.show()
