# id: conversion-item
# title: item() turns a one-element tensor into a number
# title_zh: item() 把单元素张量转换成 Python 数字
# topic: conversion
# source: 001_50eb38e264ab5ee5.txt
# notice: `item()` works whenever the tensor holds exactly one element, whatever its shape:
#   `torch.Size([])`, `[1]` and `[1, 1]` all give a plain Python number.
# notice_zh: 只要张量恰好只有一个元素，不论形状如何，`item()` 都可以使
#   用：`torch.Size([])`、`[1]` 和 `[1, 1]` 都得到普通的 Python 数字。
# expect: ok
# order: 50

data1 = torch.tensor(0)
data2 = torch.tensor([10])
data3 = torch.tensor([[20]])
print(data1.shape, data2.shape, data3.shape)

num1 = data1.item()
num2 = data2.item()
num3 = data3.item()
print(num1, num2, num3, type(num3))
