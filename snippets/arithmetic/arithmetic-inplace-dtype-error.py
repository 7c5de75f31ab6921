# id: arithmetic-inplace-dtype-error
# title: An in-place op cannot change the dtype
# title_zh: 原地运算不能改变数据类型
# topic: arithmetic
# source: 001_50eb38e264ab5ee5.txt
# notice: `data.div(tensor)` returns a new `float32` tensor, but `div_` must store its float result
#   in `data`'s existing `int64` memory, which it refuses to do. Convert first: `data =
#   data.float()`, then `data.div_(tensor)`.
# notice_zh: `data.div(tensor)` 返回新的 `float32` 张量，而 `div_` 必须把浮点结果写进 `data` 原有
#   的 `int64` 内存，所以报错。先转换类型：`data = data.float()`，再 `data.div_(tensor)`。
# expect: RuntimeError
# error_line: 4
# order: 25

torch.random.manual_seed(40)
data = torch.randint(0, 10, [2, 3])
tensor = torch.randint(0, 10, [2, 1])
data.div_(tensor)  # the result is float, data is int64
