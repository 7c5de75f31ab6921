# id: modules-inspect-parameters
# title: Inspecting a model's parameters
# title_zh: 查看模型参数
# topic: modules
# source: 000_17ef9363d97f9b0a.txt
# notice: `named_parameters()` gives each parameter with its qualified name (`0.weight` is the first
#   layer's weight). `nn.Linear(3, 4)` stores its weight as (out, in) = (4, 3). The model has 3·4 +
#   4 + 4·2 + 2 = 26 numbers to learn.
# notice_zh: `named_parameters()` 给出每个参数及其完整名称（`0.weight` 是第一层的权
#   重）。`nn.Linear(3, 4)` 的权重形状是 (out, in) = (4, 3)。这个模型共有 3·4 + 4 + 4·2 + 2 = 26 个
#   可学习的数。
# expect: ok
# order: 70

model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
for name, param in model.named_parameters():
    print(name, tuple(param.shape), param.requires_grad)

total = sum(p.numel() for p in model.parameters())
print("parameters:", total)  # 26
first_weight = model[0].weight  # one layer's weights
print(first_weight)
