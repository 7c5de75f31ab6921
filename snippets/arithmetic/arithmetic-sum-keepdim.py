# id: arithmetic-sum-keepdim
# title: sum with dim and keepdim
# title_zh: sum 的 dim 与 keepdim 参数
# topic: arithmetic
# source: 001_50eb38e264ab5ee5.txt
# notice: `sum(dim=1)` removes dimension 1: (2, 3) → (2,). With `keepdim=True` it stays as size 1,
#   (2, 1), which broadcasts back against the original, so `data / row_sums` divides each row by its
#   own sum.
# notice_zh: `sum(dim=1)` 去掉第 1 维：(2, 3) → (2,)。加 `keepdim=True` 时该维保留为长度 1，即 (2,
#   1)，可以与原张量广播，所以 `data / row_sums` 让每一行除以自己的和。
# expect: ok
# order: 110

data = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])

row_sums_flat = data.sum(dim=1)  # shape (2,)
row_sums = data.sum(dim=1, keepdim=True)  # shape (2, 1)
normalised = data / row_sums  # every row now sums to 1
print(row_sums_flat.shape, row_sums.shape)
print(normalised.sum(dim=1))
