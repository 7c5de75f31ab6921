# id: dtype-nan-fix-dtype-at-creation
# title: Fix 1: create the data as float32
# title_zh: 修复一：创建数据时指定 float32
# topic: dtype-nan
# source: 000_17ef9363d97f9b0a.txt
# notice: Passing `dtype=torch.float32` when converting from NumPy makes the data match the model's
#   weights from the start, so every later operation agrees.
# notice_zh: 从 NumPy 转换时传入 `dtype=torch.float32`，数据从一开始就与模型权重类型一致，之后的运算
#   都不会出错。
# expect: ok
# order: 20

x = np.random.randn(4, 4)
x = torch.tensor(x, dtype=torch.float32)  # float32 from the start
model = nn.Linear(4, 2)
out = model(x)
print(x.dtype, out.dtype)
