# id: conversion-numpy-copy
# title: numpy().copy() makes an independent array
# title_zh: numpy().copy() 得到独立的数组
# topic: conversion
# source: 001_50eb38e264ab5ee5.txt
# notice: `.copy()` (NumPy's) allocates new memory, so after it the tensor and the array change
#   independently: the tensor keeps 2 in front, the array 3.
# notice_zh: NumPy 的 `.copy()` 分配新的内存，之后张量和数组各改各的：张量的第一个元素是 2，数组的第
#   一个元素是 3。
# expect: ok
# order: 20

data_tensor = torch.tensor([1, 2, 3])
data_np = data_tensor.numpy().copy()  # independent memory

data_tensor[0] = 2
print("after changing the copied tensor", data_tensor, data_np)

data_np[0] = 3
print("after changing the copied numpy", data_tensor, data_np)

back = torch.from_numpy(data_np)  # shares with data_np, not with data_tensor
