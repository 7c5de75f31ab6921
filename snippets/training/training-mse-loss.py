# id: training-mse-loss
# title: nn.MSELoss averages the squared errors
# title_zh: nn.MSELoss 计算平方误差的平均值
# topic: training
# source: 001_50eb38e264ab5ee5.txt
# notice: `nn.MSELoss()` is a module: create it once, then call it with (prediction, target). By
#   default it averages over all 15 elements, so it equals `((y_pred - y_true) ** 2).mean()`: 1.0192
#   with seed 42, as in the article.
# notice_zh: `nn.MSELoss()` 是一个模块：先创建一次，再用（预测值，目标值）调用。默认对全部 15 个元素
#   求平均，等于 `((y_pred - y_true) ** 2).mean()`：种子为 42 时是 1.0192，与原文一致。
# expect: ok
# order: 10

criterion = nn.MSELoss()
torch.random.manual_seed(42)
y_pred = torch.randn(3, 5, requires_grad=True)
y_true = torch.randn(3, 5, requires_grad=True)

loss = criterion(y_pred, y_true)
by_hand = ((y_pred - y_true) ** 2).mean()
print(loss, by_hand)
