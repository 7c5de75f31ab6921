# id: shape-view-fix-reshape
# title: Fix 2: reshape() instead of view()
# title_zh: 修复二：用 reshape() 代替 view()
# topic: shape
# source: 004_fdbf9b7182ff2d02.txt
# notice: `reshape` returns a view when the strides allow it and a copy when they do not. Here they
#   do not, so `flat` is a new contiguous tensor that does not share memory with `t1`; on the
#   contiguous `t1` itself, `reshape` gives a view.
# notice_zh: 步长允许时 `reshape` 返回视图，不允许时返回副本。这里不允许，所以 `flat` 是新的连续张
#   量，不与 `t1` 共享内存；而对连续的 `t1` 本身，`reshape` 返回视图。
# expect: ok
# order: 80

t1 = torch.randn(2, 3)
t1_ = t1.transpose(0, 1)
flat = t1_.reshape(-1)  # a copy: t1_ is not contiguous
flat_t1 = t1.reshape(-1)  # a view: t1 is contiguous
print(flat)
print(flat.is_contiguous(), flat_t1.data_ptr() == t1.data_ptr())
