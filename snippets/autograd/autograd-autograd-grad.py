# id: autograd-autograd-grad
# title: torch.autograd.grad() returns the gradients you ask for
# title_zh: torch.autograd.grad() 返回指定变量的梯度
# topic: autograd
# source: 003_088a8e173f7a2eb1.txt
# notice: `torch.autograd.grad(y, x)` returns a tuple with dy/dx = 3x² and leaves `x.grad` untouched
#   (None). With `create_graph=True` the result is itself differentiable, so a second call gives the
#   second derivative 6x.
# notice_zh: `torch.autograd.grad(y, x)` 返回包含 dy/dx = 3x² 的元组，不修改 `x.grad`（仍为 None）。
#   传入 `create_graph=True` 时结果本身也可以求导，再调用一次就得到二阶导数 6x。
# expect: ok
# order: 110

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x**3).sum()

(dy_dx,) = torch.autograd.grad(y, x, create_graph=True)  # 3x²: [3, 12, 27]
print(dy_dx, x.grad)  # x.grad is still None

(d2y_dx2,) = torch.autograd.grad(dy_dx.sum(), x)  # 6x: [6, 12, 18]
print(d2y_dx2)
