# id: indexing-cat
# title: cat joins tensors along an existing dimension
# title_zh: cat 沿已有维度拼接张量
# topic: indexing
# source: 001_50eb38e264ab5ee5.txt
# notice: `torch.cat` does not add a dimension; it grows the one you name. Two (2, 3) tensors give
#   (4, 3) along dim 0 and (2, 6) along dim 1. The sizes along the joined dimension may differ; all
#   the others must match.
# notice_zh: `torch.cat` 不新增维度，只增大指定的那一维。两个 (2, 3) 张量沿第 0 维拼接得到 (4, 3)，
#   沿第 1 维得到 (2, 6)。被拼接的那一维长度可以不同，其余维度必须相同。
# expect: ok
# order: 10

x = torch.randn(2, 3)
y = torch.randn(2, 3)
z_cat = torch.cat([x, y], dim=0)  # (4, 3)
z_cat1 = torch.cat([x, y], dim=1)  # (2, 6)

w = torch.randn(5, 3)
uneven = torch.cat([x, w], dim=0)  # 2 + 5 rows: (7, 3)
print(z_cat.shape, z_cat1.shape, uneven.shape)
