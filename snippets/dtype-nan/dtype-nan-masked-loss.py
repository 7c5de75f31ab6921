# id: dtype-nan-masked-loss
# title: Leave missing targets out of the loss
# title_zh: 在损失函数中排除缺失的目标值
# topic: dtype-nan
# source: 000_17ef9363d97f9b0a.txt
# notice: One target is NaN. Computing the loss on `pred[mask]` and `target[mask]` only uses the
#   observed values, so the loss and every gradient stay finite, and the missing value contributes
#   no gradient at all.
# notice_zh: 有一个目标值是 NaN。只用 `pred[mask]` 和 `target[mask]` 计算损失，只有观测到的值参与计
#   算，损失和所有梯度都是有限值，缺失的值完全不产生梯度。
# expect: ok
# order: 100

lstm = nn.LSTM(2, 4)
head = nn.Linear(4, 1)
x = torch.randn(3, 2, 2)  # (seq_len, batch, features)
target = torch.tensor([[1.0, 0.5], [float("nan"), 0.2], [0.3, 0.1]])  # (seq_len, batch)

out, _ = lstm(x)
pred = head(out).squeeze(-1)  # (seq_len, batch)
mask = ~torch.isnan(target)
loss = F.mse_loss(pred[mask], target[mask])  # observed values only
loss.backward()
print(loss, torch.isnan(head.weight.grad).any())
