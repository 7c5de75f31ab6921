# id: autograd-detach-shares-data
# title: Writing into a detached tensor changes the original
# title_zh: 修改 detach 得到的张量会改变原张量
# topic: autograd
# source: 001_50eb38e264ab5ee5.txt
# notice: `detach()` does not copy, so `x2[0] = 100` also sets `x1[0]` to 100. The article shows it
#   with `id(x1.data) == id(x2.data)`; comparing `data_ptr()` checks the memory itself. Use
#   `x1.detach().clone()` for an independent copy.
# notice_zh: `detach()` 不复制数据，所以 `x2[0] = 100` 也会把 `x1[0]` 变成 100。原文用 `id(x1.data)
#   == id(x2.data)` 来说明；比较 `data_ptr()` 检查的才是内存本身。需要独立副本时
#   用 `x1.detach().clone()`。
# expect: ok
# order: 190

x1 = torch.tensor([10, 20], requires_grad=True, dtype=torch.float64)
x2 = x1.detach()
print(x1.data_ptr() == x2.data_ptr())  # the same memory

x2[0] = 100
print(x1)  # [100., 20.]
