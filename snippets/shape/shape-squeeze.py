# id: shape-squeeze
# title: squeeze removes dimensions of size 1
# title_zh: squeeze 去掉长度为 1 的维度
# topic: shape
# source: 001_50eb38e264ab5ee5.txt
# notice: Without an argument, `squeeze` removes every size-1 dimension: (1, 3, 1, 5) → (3, 5).
#   `squeeze(2)` removes only dimension 2: (1, 3, 5). Asking to squeeze a dimension whose size is
#   not 1 silently does nothing.
# notice_zh: 不带参数时 `squeeze` 去掉所有长度为 1 的维度：(1, 3, 1, 5) → (3, 5)。`squeeze(2)` 只去
#   掉第 2 维：(1, 3, 5)。对长度不为 1 的维度调用 squeeze 不会报错，也不会有任何变化。
# expect: ok
# order: 90

data = torch.randint(1, 10, [1, 3, 1, 5])
data_squ = data.squeeze()  # (3, 5)
data_squ_1 = data.squeeze(2)  # (1, 3, 5)
unchanged = data.squeeze(1)  # size 3: nothing removed
print(data_squ.shape, data_squ_1.shape, unchanged.shape)
