# id: autograd-scalar-grad
# title: The gradient of f = x² + 20 at x = 10
# title_zh: f = x² + 20 在 x = 10 处的梯度
# topic: autograd
# source: 001_50eb38e264ab5ee5.txt
# notice: df/dx = 2x, so at x = 10 `x.grad` is 20. The tensor must be created with
#   `requires_grad=True` and a floating dtype; autograd does not track integer tensors.
# notice_zh: df/dx = 2x，所以在 x = 10 处 `x.grad` 是 20。张量必须以 `requires_grad=True` 创建，并且
#   是浮点类型；autograd 不跟踪整数张量。
# expect: ok
# order: 20

x = torch.tensor(10, requires_grad=True, dtype=torch.float64)
f = x**2 + 20
f.backward()
print(x.grad)  # 2 * 10 = 20
