# id: autograd-backward-grad-disabled
# title: backward() on a result computed without grad fails
# title_zh: 对关闭梯度时计算的结果调用 backward() 会报错
# topic: autograd
# source: 001_50eb38e264ab5ee5.txt
# notice: With tracking disabled globally, `f = x**2` records no graph: `f` has no `grad_fn`, so
#   there is nothing to walk back through and `backward()` raises. Compute the value you
#   differentiate with grad enabled.
# notice_zh: 全局关闭梯度跟踪后，`f = x**2` 不记录计算图：`f` 没有 `grad_fn`，没有路径可以回溯，所
#   以 `backward()` 报错。需要求导的值必须在开启梯度时计算。
# expect: RuntimeError
# error_line: 5
# order: 165

x = torch.tensor(10, requires_grad=True, dtype=torch.float64)
torch.set_grad_enabled(False)
f = x**2
print(f.requires_grad)  # False
f.backward()
