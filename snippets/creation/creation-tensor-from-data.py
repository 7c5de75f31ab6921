# id: creation-tensor-from-data
# title: torch.tensor() copies data and infers the dtype
# title_zh: torch.tensor() 复制数据并推断数据类型
# topic: creation
# source: 001_50eb38e264ab5ee5.txt
# notice: The dtype comes from the data: a Python int gives `int64`, an array from `np.random.randn`
#   keeps NumPy's `float64`, and nested lists of ints give `int64`. Only Python floats get PyTorch's
#   default `float32` (the article's "float32 by default" holds for floats only).
# notice_zh: 数据类型由数据决定：Python 整数得到 `int64`，`np.random.randn` 生成的数组保
#   持 NumPy 的 `float64`，整数的嵌套列表得到 `int64`。只有 Python 浮点数才得到默认的 `float32`（原
#   文“默认是 float32”只对浮点数成立）。
# expect: ok
# order: 10

scalar = torch.tensor(10)  # a 0-d tensor
print(scalar, scalar.dtype)

data = np.random.randn(2, 3)
from_numpy = torch.tensor(data)  # keeps NumPy's float64
print(from_numpy)

nested = torch.tensor([[[i for i in range(10)], [j for j in range(10, 20)]]])
print(nested.shape, nested.dtype)

floats = torch.tensor([1.0, 2.0, 3.0])
print(floats.dtype)
