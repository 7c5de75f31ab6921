# id: shape-view-non-contiguous
# title: view() on a transposed tensor fails
# title_zh: 对转置后的张量调用 view() 会报错
# topic: shape
# source: 004_fdbf9b7182ff2d02.txt
# notice: `t1.transpose(0, 1)` only swaps the strides ([3, 1] → [1, 3]); the memory is not
#   rearranged, so the elements of `t1_` are not in row order and no stride can describe `t1_`
#   flattened. `view` never copies, so it raises. Use `reshape` (copies when it must) or
#   `contiguous().view(...)`.
# notice_zh: `t1.transpose(0, 1)` 只交换步长（[3, 1] → [1, 3]），内存并没有重排，`t1_` 的元素不是按
#   行存放的，没有哪种步长能描述展平后的 `t1_`。`view` 从不复制数据，所以报错。改用 `reshape`（必要
#   时会复制）或 `contiguous().view(...)`。
# expect: RuntimeError
# error_line: 5
# order: 60

t1 = torch.randn(2, 3)
print("is t1 contiguous??", t1.is_contiguous())
t1_ = t1.transpose(0, 1)
print("is t1_ contiguous??", t1_.is_contiguous())
print(t1_.view(-1))
