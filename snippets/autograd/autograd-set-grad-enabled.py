# id: autograd-set-grad-enabled
# title: torch.set_grad_enabled switches tracking off and on
# title_zh: torch.set_grad_enabled 关闭和打开梯度跟踪
# topic: autograd
# source: 001_50eb38e264ab5ee5.txt
# notice: `torch.set_grad_enabled(False)` turns tracking off globally until it is turned back on,
#   unlike `no_grad`, which ends with its block. With a flag it also works as a context manager,
#   handy for code shared by training (`True`) and evaluation (`False`).
# notice_zh: `torch.set_grad_enabled(False)` 全局关闭梯度跟踪，直到重新打开为止；而 `no_grad` 随代码
#   块结束而失效。它也可以带参数作为上下文管理器使用，适合训练（`True`）和评估（`False`）共用的代
#   码。
# expect: ok
# order: 160

x = torch.tensor(10, requires_grad=True, dtype=torch.float64)

torch.set_grad_enabled(False)  # off from here on
f = x**2
print(f.requires_grad)  # False
torch.set_grad_enabled(True)  # back on

is_training = True
with torch.set_grad_enabled(is_training):
    g = x**2
print(g.requires_grad)  # True
