# id: training-loss-target-shape
# title: Prediction (N, 1) against target (N,) broadcasts silently
# title_zh: 预测值 (N, 1) 与标签 (N,) 会悄悄地广播
# topic: training
# source: 001_50eb38e264ab5ee5.txt
# notice: A model with one output gives (4, 1), while labels often come as (4,). `MSELoss` then
#   broadcasts the two to (4, 4), comparing every prediction with every label: it only warns and
#   returns a wrong loss. This is why the article writes `criterion(y_pred, train_y.reshape(-1,
#   1))`.
# notice_zh: 只有一个输出的模型给出 (4, 1)，而标签常常是 (4,)。这时 `MSELoss` 会把两者广播成 (4,
#   4)，拿每个预测值和每个标签比较：只给出警告，返回错误的损失。这就是原文写 `criterion(y_pred,
#   train_y.reshape(-1, 1))` 的原因。
# expect: ok
# order: 15

pred = torch.randn(4, 1)  # what nn.Linear(..., out_features=1) returns
target = torch.randn(4)  # labels as a flat vector
criterion = nn.MSELoss()

wrong = criterion(pred, target)  # broadcast to (4, 4): a warning, not an error
right = criterion(pred, target.reshape(-1, 1))  # shapes match: (4, 1)
print(wrong, right)
