# id: modules-assign-tensor-to-parameter
# title: Assigning a plain tensor to a parameter fails
# title_zh: 把普通张量赋值给参数会报错
# topic: modules
# source: 000_17ef9363d97f9b0a.txt
# notice: `model.weight` is registered as a parameter, and a module refuses to replace it with a
#   plain tensor, which would silently drop it from `parameters()` and from the optimizer. Copy
#   values in under `no_grad()`, or assign an `nn.Parameter`.
# notice_zh: `model.weight` 已注册为参数，模块拒绝用普通张量替换它，否则它会悄悄地
#   从 `parameters()` 和优化器中消失。在 `no_grad()` 中把数值复制进去，或者赋值一个 `nn.Parameter`。
# expect: TypeError
# error_line: 2
# order: 100

model = nn.Linear(2, 1)
model.weight = torch.tensor([[1.0, 2.0]])  # a Tensor, not a Parameter
