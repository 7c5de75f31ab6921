# id: training-linear-layer
# title: nn.Linear computes x @ W.T + b
# title_zh: nn.Linear 计算 x @ W.T + b
# topic: training
# source: 001_50eb38e264ab5ee5.txt
# notice: `nn.Linear(10, 5)` maps 10 features to 5: its weight is (5, 10) and the output of a (4,
#   10) batch is (4, 5). The weights start random, so the output does too.
# notice_zh: `nn.Linear(10, 5)` 把 10 个特征映射为 5 个：权重形状是 (5, 10)，一批 (4, 10) 的输入得
#   到 (4, 5) 的输出。权重是随机初始化的，所以输出也是随机的。
# expect: ok
# order: 20

model = nn.Linear(in_features=10, out_features=5)
input = torch.randn(4, 10)
y_pred = model(input)
print(y_pred.shape)

by_hand = input @ model.weight.T + model.bias
print(torch.allclose(y_pred, by_hand))
