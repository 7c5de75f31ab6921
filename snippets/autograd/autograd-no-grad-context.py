# id: autograd-no-grad-context
# title: Stop tracking: with torch.no_grad()
# title_zh: 停止跟踪梯度：with torch.no_grad()
# topic: autograd
# source: 001_50eb38e264ab5ee5.txt
# notice: Inside `torch.no_grad()` no graph is recorded: `f` has no `grad_fn` and does not require
#   grad, even though `x` does. It saves memory and time during evaluation; it does not change how
#   dropout or batch norm behave (that is `model.eval()`).
# notice_zh: 在 `torch.no_grad()` 中不记录计算图：尽管 `x` 要求梯度，`f` 既没有 `grad_fn` 也不要求梯
#   度。它在评估时节省显存和时间，但不改变 dropout 和 BN 的行为（那是 `model.eval()` 的作用）。
# expect: ok
# order: 140

x = torch.tensor(10, requires_grad=True, dtype=torch.float64)
print(x.requires_grad)  # True

with torch.no_grad():
    f = x**2
print(f.requires_grad, f.grad_fn)  # False, None

g = x**2  # outside the block: tracked again
print(g.requires_grad)
