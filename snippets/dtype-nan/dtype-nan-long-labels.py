# id: dtype-nan-long-labels
# title: Fix: long() for the labels
# title_zh: 修复：标签调用 long()
# topic: dtype-nan
# source: 000_17ef9363d97f9b0a.txt
# notice: With `y.long()` the labels are `int64` and the loss works. The article writes
#   `torch.nn.CrossEntropyLoss(x, y.long())`, which passes the tensors to the constructor; create
#   the loss first, then call it with the predictions and labels.
# notice_zh: 用 `y.long()` 之后标签是 `int64`，损失函数就能正常计算。原文写
#   成 `torch.nn.CrossEntropyLoss(x, y.long())`，把张量传给了构造函数；应当先创建损失函数，再用预测
#   值和标签调用它。
# expect: ok
# order: 50

logits = torch.randn(4, 3)
y = torch.tensor([0.0, 2.0, 1.0, 1.0])
criterion = nn.CrossEntropyLoss()
loss = criterion(logits, y.long())  # long for label
print(y.long().dtype, loss)
