# id: creation-arange
# title: arange(start, end, step) excludes the end
# title_zh: arange(start, end, step) 不包含终点
# topic: creation
# source: 001_50eb38e264ab5ee5.txt
# notice: `torch.arange(0, 10, 2)` stops before 10 and, with integer arguments, gives `int64`. The
#   article then wraps it in `torch.Tensor(...)`, but given a tensor that returns the same memory
#   with the same dtype (its printout still shows integers): nothing is converted. Use
#   `data.float()` to get `float32`.
# notice_zh: `torch.arange(0, 10, 2)` 在 10 之前停止，参数都是整数时结果是 `int64`。原文随后
#   用 `torch.Tensor(...)` 包了一层，但传入张量时它返回同一块内存、同样的类型（原文的输出也仍是整
#   数）：并没有转换。要得到 `float32` 应调用 `data.float()`。
# expect: ok
# order: 40

data = torch.arange(0, 10, 2)  # [0, 2, 4, 6, 8]: the end 10 is excluded
print(data, data.dtype)

wrapped = torch.Tensor(data)  # the article's extra step: still int64, same memory
print(wrapped.dtype, wrapped.data_ptr() == data.data_ptr())

as_float = data.float()  # the conversion it meant
halves = torch.arange(0, 2, 0.5)  # a float step gives float32
print(as_float, halves)
