# id: conversion-tolist
# title: tolist() converts every element
# title_zh: tolist() 转换所有元素
# topic: conversion
# source: 001_50eb38e264ab5ee5.txt
# notice: For a tensor with several elements, `tolist()` returns nested Python lists of numbers with
#   the tensor's shape; `item()` remains the tool for exactly one element.
# notice_zh: 对于多元素张量，`tolist()` 返回与张量形状相同的 Python 嵌套列表；`item()` 仍然只用于恰
#   好一个元素的情况。
# expect: ok
# order: 70

data = torch.tensor([[10, 20], [30, 40]])
numbers = data.tolist()  # [[10, 20], [30, 40]]
first = data[0, 0].item()  # one element: item() works
total = data.sum().item()
print(numbers, first, total)
