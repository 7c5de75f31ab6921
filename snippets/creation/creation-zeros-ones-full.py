# id: creation-zeros-ones-full
# title: zeros, ones, full and their _like versions
# title_zh: zeros、ones、full 及其 _like 版本
# topic: creation
# source: 001_50eb38e264ab5ee5.txt
# notice: `zeros`/`ones` give `float32`, but `full` takes its dtype from the fill value: an integer
#   6 gives `int64`. The `_like` versions copy the shape and dtype of their argument.
# notice_zh: `zeros`/`ones` 生成 `float32`，而 `full` 的类型由填充值决定：整数 6 得
#   到 `int64`。`_like` 版本同时复制参数的形状和数据类型。
# expect: ok
# order: 80

data = torch.zeros(2, 3)
data1 = torch.zeros_like(data)
ones = torch.ones(2, 3)

sixes = torch.full([2, 3], 6)  # int64: the dtype follows the fill value
print(sixes, sixes.dtype)

halves = torch.full_like(data, 0.5)  # shape and dtype of data
print(halves)
