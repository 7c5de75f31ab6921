# id: training-cross-entropy-shapes
# title: CrossEntropyLoss: logits (N, C), labels (N,)
# title_zh: CrossEntropyLoss：logits 为 (N, C)，标签为 (N,)
# topic: training
# source: 000_17ef9363d97f9b0a.txt
# notice: `CrossEntropyLoss` takes raw scores (logits) of shape (N, C) and one class index per
#   sample, shape (N,), as `int64`. It applies log-softmax itself, so the loss equals the mean of
#   −log_softmax at each sample's label; do not apply softmax to the model output first.
# notice_zh: `CrossEntropyLoss` 接收形状为 (N, C) 的原始分数（logits），以及每个样本一个类别下标、形
#   状为 (N,) 的 `int64` 标签。它内部会做 log-softmax，所以损失等于每个样本在其标签
#   处 −log_softmax 的平均值；不要先对模型输出做 softmax。
# expect: ok
# order: 12

logits = torch.randn(4, 3)  # 4 samples, 3 classes
labels = torch.tensor([0, 2, 1, 1])  # one class index per sample
criterion = nn.CrossEntropyLoss()
loss = criterion(logits, labels)

by_hand = -F.log_softmax(logits, dim=1)[torch.arange(4), labels].mean()
print(loss, by_hand)
