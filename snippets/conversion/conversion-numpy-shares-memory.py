# id: conversion-numpy-shares-memory
# title: tensor.numpy() shares memory with the tensor
# title_zh: tensor.numpy() 与张量共享内存
# topic: conversion
# source: 001_50eb38e264ab5ee5.txt
# notice: `numpy()` does not copy: the array and the tensor are two views of one buffer, so writing
#   through either one changes both. `torch.from_numpy(data_np)` turns the array back into a tensor
#   over the same memory, which is why `back` shares storage with `data_tensor`.
# notice_zh: `numpy()` 不复制数据：数组和张量是同一块内存的两种视图，通过任何一个修改，两者都会改
#   变。`torch.from_numpy(data_np)` 把数组再变回张量，仍然指向同一块内存，所
#   以 `back` 与 `data_tensor` 共享存储。
# expect: ok
# order: 10

data_tensor = torch.tensor([1, 2, 3])
data_np = data_tensor.numpy()  # no copy

data_tensor[0] = 2  # change the tensor...
print("after changing the tensor", data_np)  # ...the array sees it

data_np[0] = 3  # change the array...
print("after changing numpy", data_tensor)  # ...the tensor sees it

back = torch.from_numpy(data_np)  # a third view of the same memory
