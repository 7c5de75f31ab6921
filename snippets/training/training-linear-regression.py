# id: training-linear-regression
# title: Linear regression with DataLoader, MSELoss and SGD
# title_zh: 用 DataLoader、MSELoss 和 SGD 做线性回归
# topic: training
# source: 001_50eb38e264ab5ee5.txt
# notice: The whole loop: batches from a DataLoader, a forward pass, the loss, `zero_grad`,
#   `backward`, `step`. The learned weight and bias approach the true 41.7 and 14.5 (up to the
#   noise). The article's data came from sklearn's `make_regression`; here torch makes it, and 40
#   epochs instead of 1000 are plenty.
# notice_zh: 完整的训练循环：从 DataLoader 取批、前向计算、求损失、`zero_grad`、`backward`、`step`。
#   学到的权重和偏置接近真实值 41.7 和 14.5（受噪声影响略有偏差）。原文的数据来
#   自 sklearn 的 `make_regression`，这里改用 torch 生成，训练 40 个 epoch（原文 1000 个）就足够了。
# expect: ok
# order: 70

import matplotlib.pyplot as plt
from torch.utils.data import DataLoader, TensorDataset

x = torch.randn(100, 1)
y = 41.7 * x + 14.5 + 10 * torch.randn(100, 1)  # instead of make_regression

dataloader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True, num_workers=0)
model = nn.Linear(in_features=1, out_features=1)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)


def train_one_epoch():
    total = 0.0
    for train_x, train_y in dataloader:
        loss = criterion(model(train_x), train_y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(dataloader)  # the average loss of the epoch


epoch_losses = [train_one_epoch() for _ in range(40)]  # 40 epochs

w, b = model.weight.item(), model.bias.item()
print(f"weight = {w:.2f}, bias = {b:.2f}, final loss = {epoch_losses[-1]:.1f}")

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
