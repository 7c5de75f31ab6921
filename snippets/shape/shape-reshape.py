# id: shape-reshape
# title: reshape keeps the elements, changes the shape
# title_zh: reshape 保留元素，改变形状
# topic: shape
# source: 001_50eb38e264ab5ee5.txt
# notice: The new shape must hold the same number of elements (4 × 5 = 2 × 10 = 20). One size may be
#   `-1`: PyTorch works it out from the others, so `[-1, 20]` becomes `[1, 20]`.
# notice_zh: 新形状的元素个数必须不变（4 × 5 = 2 × 10 = 20）。可以有一个维度写成 `-1`，由 PyTorch 根
#   据其他维度推算，所以 `[-1, 20]` 变成 `[1, 20]`。
# expect: ok
# order: 10

torch.random.manual_seed(42)
data = torch.randint(0, 10, [4, 5])
new_data = torch.reshape(data, [2, 10])
inferred = torch.reshape(data, [-1, 20])  # -1 is worked out: 1
print(data.shape, new_data.shape, inferred.shape)
