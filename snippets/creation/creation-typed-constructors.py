# id: creation-typed-constructors
# title: IntTensor and FloatTensor fix the dtype
# title_zh: IntTensor 与 FloatTensor 固定数据类型
# topic: creation
# source: 001_50eb38e264ab5ee5.txt
# notice: `torch.IntTensor` always makes `int32` and `torch.FloatTensor` always `float32`. Given a
#   shape, the memory is uninitialised (the article printed garbage like 772014944); given data of
#   another type, the values are converted: 1.7 becomes 1, truncated toward zero.
# notice_zh: `torch.IntTensor` 总是生成 `int32`，`torch.FloatTensor` 总是生成 `float32`。传入形状时
#   内存不初始化（原文打印出了 772014944 这样的随机值）；传入其他类型的数据时会转换类型：1.7 变
#   成 1（向零截断）。
# expect: ok
# order: 30

ints = torch.IntTensor(2, 3)  # shape (2, 3), int32, uninitialised
print(ints.dtype)

floats = torch.FloatTensor(2, 3)  # shape (2, 3), float32, uninitialised
print(floats.dtype)

converted = torch.IntTensor([1.7, -1.7, 2.2])  # floats converted to int32
print(converted)
