# id: autograd-backward-non-scalar-fix
# title: Fix: reduce to a scalar, or pass a gradient
# title_zh: 修复：约减成标量，或者传入梯度
# topic: autograd
# source: 004_fdbf9b7182ff2d02.txt
# notice: `y.sum().backward()` and `y.backward(torch.ones_like(y))` compute the same thing: every
#   element of y weighted by 1. For y = t1 * t2 that gives `t1.grad == t2` (and `t2.grad == t1`).
# notice_zh: `y.sum().backward()` 与 `y.backward(torch.ones_like(y))` 计算的是同一件事：y 的每个元素
#   权重都为 1。对于 y = t1 * t2，结果是 `t1.grad == t2`（以及 `t2.grad == t1`）。
# expect: ok
# order: 70

t1 = torch.randn(2, 2, requires_grad=True)
t2 = torch.randn(2, 2, requires_grad=True)

y = t1 * t2
y.sum().backward()  # reduce to a scalar first
print(torch.equal(t1.grad, t2))  # d(sum)/dt1 = t2

t1.grad = None  # start again, with an explicit gradient instead
y = t1 * t2
y.backward(torch.ones_like(y))
print(torch.equal(t1.grad, t2))
