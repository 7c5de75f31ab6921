# id: autograd-two-branches
# title: Gradients from two branches add up
# title_zh: 两个分支的梯度相加
# topic: autograd
# source: 002_e725bbdd62884fee.txt
# notice: `x` reaches `r` through two branches, x² and x³, and their gradients add: 2x + 3x² = 5 at
#   x = 1.
# notice_zh: `x` 通过 x² 和 x³ 两个分支到达 `r`，两个分支的梯度相加：在 x = 1 处为 2x + 3x² = 5。
# expect: ok
# order: 210

x = torch.ones(5, requires_grad=True)
y = x**2
z = x**3
r = (z + y).sum()
r.backward()
print(x.grad)  # [5., 5., 5., 5., 5.]
