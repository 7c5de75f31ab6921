# id: autograd-inplace-via-detach
# title: Changing a detached tensor in place breaks backward()
# title_zh: 原地修改 detach 得到的张量会导致 backward() 失败
# topic: autograd
# source: 002_e725bbdd62884fee.txt
# notice: A detached tensor shares `x`'s memory and its version counter. Writing `x_detached[0] =
#   100` changes the `x` that `y = x**2` saved, so backward raises, as the article warns. Detach,
#   then `clone()`, before editing.
# notice_zh: detach 得到的张量与 `x` 共享内存和版本号。`x_detached[0] = 100` 修改了 `y = x**2` 保存
#   的 `x`，所以反向传播报错，正如原文所说。要修改的话，先 detach 再 `clone()`。
# expect: RuntimeError
# error_line: 5
# order: 290

x = torch.ones(5, requires_grad=True)
y = x**2  # saves x
x_detached = x.detach()
x_detached[0] = 100  # the same memory as x
y.sum().backward()
