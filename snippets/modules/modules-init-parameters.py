# id: modules-init-parameters
# title: Initialising parameters with nn.init and apply()
# title_zh: 用 nn.init 和 apply() 初始化参数
# topic: modules
# source: 000_17ef9363d97f9b0a.txt
# notice: `model.apply(fn)` calls `fn` on every sub-module, so one function can initialise all the
#   linear layers. The `nn.init` functions work in place (trailing underscore) and do not record
#   anything in the graph.
# notice_zh: `model.apply(fn)` 对每个子模块调用 `fn`，所以一个函数就能初始化所有线性层。`nn.init` 中
#   的函数都是原地操作（末尾有下划线），不会在计算图中留下记录。
# expect: ok
# order: 80

model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)


model.apply(init_weights)
nn.init.constant_(model[2].weight, 0.5)  # one layer by hand
print(model[0].bias, model[2].weight, sep="\n")
