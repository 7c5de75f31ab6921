# id: conversion-from-numpy-vs-tensor
# title: from_numpy shares memory, torch.tensor copies
# title_zh: from_numpy 共享内存，torch.tensor 复制数据
# topic: conversion
# source: 001_50eb38e264ab5ee5.txt
# notice: After `data_numpy[0] = 100`, the tensors made with `from_numpy` (and `as_tensor`) show
#   100, because they use the array's memory; `torch.tensor` made a copy and still shows 2, as does
#   `from_numpy(data_numpy.copy())`.
# notice_zh: 执行 `data_numpy[0] = 100` 之后，用 `from_numpy`（以及 `as_tensor`）创建的张量显
#   示 100，因为它们使用数组的内存；`torch.tensor` 复制了数据，仍然
#   是 2，`from_numpy(data_numpy.copy())` 也是如此。
# expect: ok
# order: 30

data_numpy = np.array([2, 3, 4])
data_tensor1 = torch.from_numpy(data_numpy)  # shares the array's memory
data_tensor_copy = torch.from_numpy(data_numpy.copy())  # a copy first
data_tensor2 = torch.tensor(data_numpy)  # always copies
data_tensor3 = torch.as_tensor(data_numpy)  # shares when it can

data_numpy[0] = 100
print(data_tensor1, data_tensor3)  # 100 shows up
print(data_tensor_copy, data_tensor2)  # still 2
