# id: creation-type-conversion
# title: Changing dtype with type() and float()
# title_zh: 用 type() 和 float() 转换数据类型
# topic: creation
# source: 001_50eb38e264ab5ee5.txt
# notice: `type(torch.FloatTensor)`, `float()` and `to(torch.float32)` all return a new tensor; the
#   original `data` stays `int64`.
# notice_zh: `type(torch.FloatTensor)`、`float()` 和 `to(torch.float32)` 都返回新的张量，原来
#   的 `data` 仍然是 `int64`。
# expect: ok
# order: 140

data = torch.full([2, 3], 6)
print("before", data.dtype)

data1 = data.type(torch.FloatTensor)
print("after", data1.dtype)

data2 = data.float()
print("after", data2.dtype)

data3 = data.to(torch.float64)
print(data3.dtype, data.dtype)  # data itself is unchanged
