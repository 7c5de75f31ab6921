# id: autograd-detach-basics
# title: detach() returns a tensor outside the graph
# title_zh: detach() 返回计算图之外的张量
# topic: autograd
# source: 002_e725bbdd62884fee.txt
# notice: `y = x.detach()` has the same values and the same memory as `x`, but `requires_grad=False`
#   and no `grad_fn`: nothing computed from `y` reaches `x.grad`.
# notice_zh: `y = x.detach()` 与 `x` 数值相同、内存相同，但 `requires_grad=False`，也没
#   有 `grad_fn`：由 `y` 算出的任何结果都不会影响 `x.grad`。
# expect: ok
# order: 180

x = torch.rand(3, 4, requires_grad=True)
y = x.detach()
print(x)
print(y)
print(y.requires_grad, y.grad_fn, y.data_ptr() == x.data_ptr())
