# id: indexing-boolean
# title: Boolean masks select elements or rows
# title_zh: 布尔索引选取元素或行
# topic: indexing
# source: 001_50eb38e264ab5ee5.txt
# notice: A mask with the tensor's full shape (`data > 30`) picks elements and flattens them into
#   1-D. A mask over the rows (`data[:, 1] >= 20`, shape (4,)) keeps whole rows. Either way the
#   result is a copy, not a view.
# notice_zh: 与张量形状相同的掩码（`data > 30`）选出元素并展平成一维；只针对行的掩码（`data[:, 1] >=
#   20`，形状 (4,)）保留整行。两种情况得到的都是副本而不是视图。
# expect: ok
# order: 70

torch.random.manual_seed(42)
data = torch.randint(0, 100, (4, 5))
print(data)

mask = data > 30
big = data[mask]  # 1-D: every element above 30
rows = data[data[:, 1] >= 20]  # rows whose column 1 is at least 20
print(big, rows, sep="\n")
