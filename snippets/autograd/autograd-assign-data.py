# id: autograd-assign-data
# title: Assigning to x.data changes the values behind autograd's back
# title_zh: 给 x.data 赋值会绕过 autograd 改变数值
# topic: autograd
# source: 002_e725bbdd62884fee.txt
# notice: `x.data = ...` swaps the values (and here the dtype: `dtype=float` is float64) without
#   autograd noticing. `z = x**2` had saved `x` itself, so its backward sees the new value too: 2·2
#   + 3·2² = 16, and `x.grad` becomes float64. No error warns you.
# notice_zh: `x.data = ...` 替换了数值（这里连类型也变了：`dtype=float` 是 float64），autograd 却毫
#   不知情。`z = x**2` 保存的是 `x` 本身，所以它的反向传播也看到了新值：2·2 + 3·2² = 16，`x.grad` 也
#   变成 float64，而且没有任何报错提醒。
# expect: ok
# order: 240

x = torch.ones(5, requires_grad=True)
z = x**2
x.data = torch.tensor([2, 2, 2, 2, 2], dtype=float)  # new values, unseen by autograd
y = x**3
k = (z + y).sum()
k.backward()
print(x.grad)  # [16., 16., 16., 16., 16.], float64
