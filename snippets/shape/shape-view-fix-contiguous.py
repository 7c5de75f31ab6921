# id: shape-view-fix-contiguous
# title: Fix 1: contiguous() before view()
# title_zh: 修复一：先 contiguous() 再 view()
# topic: shape
# source: 001_50eb38e264ab5ee5.txt
# notice: `contiguous()` copies the transposed tensor into fresh memory in row order (strides [2,
#   1]), after which `view` works. The copy no longer shares memory with `data`.
# notice_zh: `contiguous()` 把转置后的张量按行顺序复制到新内存（步长 [2, 1]），之后 `view` 就可以使
#   用了。这个副本不再与 `data` 共享内存。
# expect: ok
# order: 70

data = torch.tensor([[10, 20, 30], [40, 50, 60]])
data_transpose = torch.transpose(data, 0, 1)
print(data_transpose.is_contiguous())  # False

data_contiguous = data_transpose.contiguous()  # a row-ordered copy
data_view = data_contiguous.view(2, 3)  # [[10, 40, 20], [50, 30, 60]]
print(data_view)
