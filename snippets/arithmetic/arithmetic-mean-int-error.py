# id: arithmetic-mean-int-error
# title: mean() of an integer tensor fails
# title_zh: 对整数张量调用 mean() 会报错
# topic: arithmetic
# source: 001_50eb38e264ab5ee5.txt
# notice: This is why the article creates its data with `dtype=torch.float64`: the mean of integers
#   is not an integer, and `mean` will not guess a floating dtype. Convert first,
#   `data.float().mean()`, or pass `dtype=torch.float32` to `mean`. `sum` works on integers.
# notice_zh: 这就是原文创建数据时要加 `dtype=torch.float64` 的原因：整数的均值不是整数，`mean` 不会
#   替你选择浮点类型。先转换 `data.float().mean()`，或给 `mean` 传 `dtype=torch.float32`。`sum` 可以
#   直接用于整数。
# expect: RuntimeError
# error_line: 4
# order: 105

torch.random.manual_seed(42)
data = torch.randint(0, 5, [2, 3])  # int64
total = data.sum()  # fine for integers
average = data.mean()  # no float dtype to put the mean in
