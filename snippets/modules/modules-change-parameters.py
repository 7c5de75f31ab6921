# id: modules-change-parameters
# title: Changing parameter values
# title_zh: 修改模型参数的值
# topic: modules
# source: 000_17ef9363d97f9b0a.txt
# notice: Write new values into a parameter in place, inside `torch.no_grad()` so that the change is
#   not recorded as part of the graph; or load a dict of tensors with `load_state_dict`. Either way
#   the parameter stays the same `nn.Parameter` the optimizer knows.
# notice_zh: 在 `torch.no_grad()` 中原地写入新值，这样修改不会被记录进计算图；或者
#   用 `load_state_dict` 加载一个张量字典。两种方式下参数仍然是优化器所持有的那个 `nn.Parameter`。
# expect: ok
# order: 90

model = nn.Linear(2, 1)
with torch.no_grad():
    model.weight.copy_(torch.tensor([[1.0, 2.0]]))
    model.bias.fill_(0.5)
print(model(torch.tensor([[1.0, 1.0]])))  # 1 + 2 + 0.5 = 3.5

model.load_state_dict({"weight": torch.tensor([[3.0, 4.0]]), "bias": torch.tensor([0.0])})
print(model.weight, model.bias)
