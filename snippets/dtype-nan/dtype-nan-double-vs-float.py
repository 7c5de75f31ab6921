# id: dtype-nan-double-vs-float
# title: A float64 input to a float32 model fails
# title_zh: float64 的输入传给 float32 的模型会报错
# topic: dtype-nan
# source: 000_17ef9363d97f9b0a.txt
# notice: NumPy makes `float64` (Double) and `torch.tensor` keeps it, but `nn.Linear` creates
#   `float32` (Float) weights, and PyTorch will not multiply the two. The article met this as
#   "Expected object of scalar type Double but got scalar type Float". Make the dtypes agree: create
#   the tensor as `float32`, or call `x.float()`.
# notice_zh: NumPy 生成 `float64`（Double），`torch.tensor` 保留该类型，而 `nn.Linear` 的权重
#   是 `float32`（Float），PyTorch 不会把两者相乘。原文遇到的报错是“Expected object of scalar type
#   Double but got scalar type Float”。让类型保持一致：创建张量时就用 `float32`，或者调
#   用 `x.float()`。
# expect: RuntimeError
# error_line: 5
# order: 10

x = np.random.randn(4, 4)  # the article wrote randn((4, 4)), which NumPy rejects
x = torch.tensor(x)  # float64
model = nn.Linear(4, 2)  # float32 weights
print(x.dtype, model.weight.dtype)
out = model(x)
