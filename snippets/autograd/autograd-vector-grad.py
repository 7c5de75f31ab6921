# id: autograd-vector-grad
# title: A vector input needs a scalar output (mean)
# title_zh: 向量输入需要标量输出（取均值）
# topic: autograd
# source: 001_50eb38e264ab5ee5.txt
# notice: `f` is a vector, so it is first reduced to a scalar with `mean()`. Each element then gets
#   d(mean)/dx_i = 2 x_i / 4 = x_i / 2: [5, 10, 15, 20]. With `sum()` instead it would be 2 x_i.
# notice_zh: `f` 是向量，所以先用 `mean()` 约减成标量。每个元素的梯度是 d(mean)/dx_i = 2 x_i / 4 =
#   x_i / 2，即 [5, 10, 15, 20]；如果用 `sum()`，梯度是 2 x_i。
# expect: ok
# order: 30

x = torch.tensor([10, 20, 30, 40], requires_grad=True, dtype=torch.float64)
f = x**2 + 20
print("f", f)

f_mean = f.mean()  # a scalar
f_mean.backward()
print(x.grad)  # [5, 10, 15, 20]
