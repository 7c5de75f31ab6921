# id: shape-permute
# title: permute reorders several dimensions at once
# title_zh: permute 一次调整多个维度的顺序
# topic: shape
# source: 001_50eb38e264ab5ee5.txt
# notice: `transpose` swaps exactly two dimensions; `permute` takes the new order of all of them:
#   `(2, 0, 1)` means "old dim 2 first, then 0, then 1", so (3, 4, 5) → (5, 3, 4). Both return views
#   with rearranged strides, not copies.
# notice_zh: `transpose` 只交换两个维度；`permute` 给出所有维度的新顺序：`(2, 0, 1)` 表示“原来的
#   第 2 维放最前，然后第 0 维、第 1 维”，所以 (3, 4, 5) → (5, 3, 4)。两者都返回步长重排后的视图，而
#   不是副本。
# expect: ok
# order: 30

torch.random.manual_seed(42)
data = torch.randint(0, 10, [3, 4, 5])
data_permute = torch.permute(data, (2, 0, 1))  # (5, 3, 4)
twice = data.transpose(0, 2).transpose(1, 2)  # the same with two swaps
print(data_permute.shape, torch.equal(data_permute, twice))
print(data.stride(), data_permute.stride())
