# id: modules-parameters-vs-state-dict
# title: parameters() feeds the optimizer, state_dict() is for saving
# title_zh: parameters() 交给优化器，state_dict() 用于保存
# topic: modules
# source: 002_e725bbdd62884fee.txt
# notice: `parameters()` yields the `nn.Parameter` objects themselves (trainable, with gradients),
#   which is what an optimizer must update. `state_dict()` is an ordered dict from names like
#   `0.weight` to detached tensors (buffers included), which is what you save. Both refer to the
#   same memory.
# notice_zh: `parameters()` 产出 `nn.Parameter` 对象本身（可训练、有梯度），优化器要更新的正是它
#   们。`state_dict()` 是从 `0.weight` 这样的名字到已分离张量的有序字典（包括 buffer），用于保存模
#   型。两者指向同一块内存。
# expect: ok
# order: 10

model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)  # needs the Parameters

params = list(model.parameters())
print([tuple(p.shape) for p in params], params[0].requires_grad)

state = model.state_dict()  # for torch.save(model.state_dict(), ...)
print(list(state.keys()))
saved_weight = state["0.weight"]
print(saved_weight.requires_grad, saved_weight.data_ptr() == model[0].weight.data_ptr())
