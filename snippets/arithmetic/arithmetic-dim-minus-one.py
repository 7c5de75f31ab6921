# id: arithmetic-dim-minus-one
# title: dim=-1 means the last dimension
# title_zh: dim=-1 表示最后一维
# topic: arithmetic
# source: 002_e725bbdd62884fee.txt
# notice: Negative dims count from the end: for a 2-D tensor `dim=-1` is `dim=1`, for 3-D it is
#   `dim=2`. Code written with `dim=-1` keeps working when a batch dimension is added in front.
# notice_zh: 负数维度从后往前数：二维张量的 `dim=-1` 就是 `dim=1`，三维时就是 `dim=2`。
#   用 `dim=-1` 写的代码在前面加上批维度之后仍然正确。
# expect: ok
# order: 120

data = torch.rand([2, 3])
last = torch.cat([data, data], dim=-1)  # (2, 6)
one = torch.cat([data, data], dim=1)  # the same
print(last.shape, torch.equal(last, one))

batched = torch.rand([4, 2, 3])
print(batched.sum(dim=-1).shape)  # reduces the size-3 dimension: (4, 2)
