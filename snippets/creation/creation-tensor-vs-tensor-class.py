# id: creation-tensor-vs-tensor-class
# title: torch.Tensor(2, 3) is a shape, torch.Tensor([2, 3]) is data
# title_zh: torch.Tensor(2, 3) 是形状，torch.Tensor([2, 3]) 是数据
# topic: creation
# source: 001_50eb38e264ab5ee5.txt
# notice: The class `torch.Tensor` reads integers as a shape and always makes `float32`; its memory
#   is not initialised, so `empty_2x3` holds whatever was there (the article happened to see ones).
#   A list is read as data. The function `torch.tensor` always reads data and infers the dtype
#   (`int64` here).
# notice_zh: 类 `torch.Tensor` 把整数参数当作形状，总是生成 `float32`，而且内存不初始
#   化，`empty_2x3` 里是内存中原有的任意值（原文碰巧看到全是 1）。传入列表时才当作数据。函
#   数 `torch.tensor` 总是把参数当作数据并推断类型（这里是 `int64`）。
# expect: ok
# order: 20

empty_2x3 = torch.Tensor(2, 3)  # shape (2, 3), uninitialised memory
print(empty_2x3.shape, empty_2x3.dtype)

from_list = torch.Tensor([2, 3])  # data [2., 3.], always float32
print(from_list)

with_function = torch.tensor([2, 3])  # data [2, 3], dtype inferred: int64
print(with_function, with_function.dtype)
