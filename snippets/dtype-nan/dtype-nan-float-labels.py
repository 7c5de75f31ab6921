# id: dtype-nan-float-labels
# title: CrossEntropyLoss rejects float class labels
# title_zh: CrossEntropyLoss 不接受浮点类型的类别标签
# topic: dtype-nan
# source: 000_17ef9363d97f9b0a.txt
# notice: Class labels index the classes, so `CrossEntropyLoss` wants them as integers (`int64`);
#   labels that went through float arithmetic or came from a float array are rejected. Convert them
#   with `y.long()`.
# notice_zh: 类别标签是类别的下标，所以 `CrossEntropyLoss` 要求它们是整数（`int64`）；经过浮点运算或
#   来自浮点数组的标签会被拒绝。用 `y.long()` 转换。
# expect: RuntimeError
# error_line: 4
# order: 40

logits = torch.randn(4, 3)  # 4 samples, 3 classes
y = torch.tensor([0.0, 2.0, 1.0, 1.0])  # labels stored as floats
criterion = nn.CrossEntropyLoss()
loss = criterion(logits, y)
