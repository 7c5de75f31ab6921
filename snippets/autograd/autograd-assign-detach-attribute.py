# id: autograd-assign-detach-attribute
# title: Assigning to x.detach changes nothing
# title_zh: 给 x.detach 赋值不会改变任何东西
# topic: autograd
# source: 002_e725bbdd62884fee.txt
# notice: `x.detach = ...` does not touch `x`'s values: it just hides the method `detach` behind an
#   ordinary attribute of that name. `x` is still all ones, and the gradient is 2x + 3x² = 5, as if
#   the line were not there.
# notice_zh: `x.detach = ...` 并没有修改 `x` 的数值，只是用一个同名的普通属性遮住了 `detach` 方
#   法。`x` 仍然全是 1，梯度仍为 2x + 3x² = 5，就像那一行不存在一样。
# expect: ok
# order: 230

x = torch.ones(5, requires_grad=True)
z = x**2
x.detach = torch.tensor([2, 2, 2, 2, 2], dtype=float)  # only shadows the method
y = x**3
k = (z + y).sum()
k.backward()
print(x.grad)  # [5., 5., 5., 5., 5.]
