# id: autograd-detach-one-branch
# title: detach() blocks one branch of the gradient
# title_zh: detach() 阻断一个分支的梯度
# topic: autograd
# source: 002_e725bbdd62884fee.txt
# notice: Same function as with two branches, but the x³ branch is computed from `x.detach()`, so it
#   counts as a constant: only y = x² passes a gradient, and `x.grad` is 2x = 2 instead of 5.
# notice_zh: 与两个分支的例子是同一个函数，但 x³ 分支由 `x.detach()` 计算，被当作常数：只有 y =
#   x² 传回梯度，`x.grad` 是 2x = 2 而不是 5。
# expect: ok
# order: 220

x = torch.ones(5, requires_grad=True)
y = x**2
z = x.detach() ** 3  # a constant as far as autograd is concerned
r = (y + z).sum()
r.backward()
print(x.grad)  # [2., 2., 2., 2., 2.]: only through y
