# id: conversion-item-multi-element
# title: item() on a tensor with several elements fails
# title_zh: 对多元素张量调用 item() 会报错
# topic: conversion
# source: 001_50eb38e264ab5ee5.txt
# notice: `item()` only works on a tensor with exactly one element; with two there is no single
#   number to return. Use `tolist()` for all of them, index one first (`data[0].item()`), or reduce
#   it (`data.sum().item()`).
# notice_zh: `item()` 只能用于恰好有一个元素的张量；有两个元素时没有唯一的数可以返回。需要全部元素时
#   用 `tolist()`，或先取出一个元素（`data[0].item()`），或先约减（`data.sum().item()`）。
# expect: RuntimeError
# error_line: 3
# order: 60

data = torch.tensor([10, 20])
print(data.shape)
num = data.item()  # two elements: which one?
