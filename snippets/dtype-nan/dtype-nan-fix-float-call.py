# id: dtype-nan-fix-float-call
# title: Fix 2: call float() on the input
# title_zh: 修复二：对输入调用 float()
# topic: dtype-nan
# source: 000_17ef9363d97f9b0a.txt
# notice: `x.float()` converts at the point of use and leaves `x` as it was. The other way round,
#   `model.double()`, converts the weights to float64 instead, which is slower and rarely what you
#   want.
# notice_zh: `x.float()` 在使用处转换，`x` 本身保持不变。反过来用 `model.double()` 把权重转换
#   成 float64 也可以，但更慢，通常并不需要。
# expect: ok
# order: 30

x = torch.tensor(np.random.randn(4, 4))  # float64
model = nn.Linear(4, 2)
model.train()
out = model(x.float())  # float for x
print(x.dtype, out.dtype)
