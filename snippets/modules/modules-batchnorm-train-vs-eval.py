# id: modules-batchnorm-train-vs-eval
# title: BatchNorm uses batch statistics in train(), running ones in eval()
# title_zh: BatchNorm 在 train() 下用批统计量，在 eval() 下用滑动统计量
# topic: modules
# source: 002_e725bbdd62884fee.txt
# notice: In training mode batch norm normalises with the current batch's mean and variance and
#   updates `running_mean`, even under `no_grad()`. In eval mode it uses the running statistics
#   instead, so the same input gives a different output.
# notice_zh: 训练模式下 BN 用当前批的均值和方差做归一化，并且即使在 `no_grad()` 中也会更
#   新 `running_mean`。评估模式下改用滑动统计量，所以同样的输入会得到不同的输出。
# expect: ok
# order: 60

bn = nn.BatchNorm1d(3)
x = torch.randn(8, 3) * 5 + 10

with torch.no_grad():
    train_out = bn(x)  # this batch's statistics
print(bn.running_mean)  # moved from 0 toward 10 (momentum 0.1), despite no_grad

bn.eval()
eval_out = bn(x)  # running statistics
print(train_out.mean(dim=0), eval_out.mean(dim=0))
