# id: autograd-multi-vector
# title: Several vector inputs, summed output
# title_zh: 多个向量输入，输出求和
# topic: autograd
# source: 001_50eb38e264ab5ee5.txt
# notice: Reducing with `sum()` gives each element its plain partial derivative: `x1.grad` = 2 x1 +
#   2 = [22, 42, 62, 82] and `x2.grad` = 2 x2 = [80, 100, 120, 140]. (The article names the sum
#   `f_mean`, but it is a sum.)
# notice_zh: 用 `sum()` 约减时，每个元素的梯度就是普通的偏导数：`x1.grad` = 2 x1 + 2 = [22, 42, 62,
#   82]，`x2.grad` = 2 x2 = [80, 100, 120, 140]。（原文把这个和命名为 `f_mean`，但它是求和。）
# expect: ok
# order: 50

x1 = torch.tensor([10, 20, 30, 40], requires_grad=True, dtype=torch.float64)
x2 = torch.tensor([40, 50, 60, 70], requires_grad=True, dtype=torch.float64)
f = x1**2 + x2**2 + 2 * x1
print("f", f)

f_sum = f.sum()
f_sum.backward()
print(x1.grad, x2.grad)
