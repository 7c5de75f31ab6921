# id: conversion-from-numpy-float64
# title: NumPy floats arrive as float64
# title_zh: NumPy 浮点数转过来是 float64
# topic: conversion
# source: 003_088a8e173f7a2eb1.txt
# notice: NumPy's default float is `float64`, and both `from_numpy` and `torch.tensor` keep it,
#   while model weights are `float32`. Ask for `float32` when converting: `torch.tensor(x,
#   dtype=torch.float32)`, or `.float()` after `from_numpy`.
# notice_zh: NumPy 默认的浮点类型是 `float64`，`from_numpy` 和 `torch.tensor` 都会保留它，而模型权重
#   是 `float32`。转换时就指定 `float32`：`torch.tensor(x, dtype=torch.float32)`，或者
#   在 `from_numpy` 之后调用 `.float()`。
# expect: ok
# order: 40

x = np.random.randn(4, 4)
kept = torch.from_numpy(x)  # float64, shares memory
print(kept.dtype)

t = torch.tensor(x, dtype=torch.float32)  # a float32 copy
u = torch.from_numpy(np.array([1, 2, 3])).float()  # int64 → float32
print(t.dtype, u)
