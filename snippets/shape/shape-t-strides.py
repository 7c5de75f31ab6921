# id: shape-t-strides
# title: t() transposes a 2-D tensor by swapping strides
# title_zh: t() 通过交换步长来转置二维张量
# topic: shape
# source: 003_088a8e173f7a2eb1.txt
# notice: `x` is stored row by row: strides [3, 1] (next row: 3 steps, next column: 1). `x.t()`
#   copies nothing; it reads the same memory with strides [1, 3], which is why it is no longer
#   contiguous. `t()` only accepts tensors of at most 2 dimensions.
# notice_zh: `x` 按行存储，步长为 [3, 1]（下一行跳 3 个元素，下一列跳 1 个）。`x.t()` 不复制数据，只
#   是用步长 [1, 3] 读取同一块内存，因此不再连续。`t()` 只接受不超过二维的张量。
# expect: ok
# order: 40

x = torch.tensor([[1, 2, 3], [4, 5, 6]])
y = x.t()  # (3, 2), same memory
print(x.stride(), y.stride())
print(x.is_contiguous(), y.is_contiguous())
