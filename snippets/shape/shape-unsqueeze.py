# id: shape-unsqueeze
# title: unsqueeze adds a dimension of size 1
# title_zh: unsqueeze 增加一个长度为 1 的维度
# topic: shape
# source: 001_50eb38e264ab5ee5.txt
# notice: `unsqueeze(-1)` appends a size-1 dimension at the end, (3, 4, 5) → (3, 4, 5, 1);
#   `unsqueeze(0)` puts one in front, which is how a single sample becomes a batch of one.
# notice_zh: `unsqueeze(-1)` 在最后加一个长度为 1 的维度，(3, 4, 5) → (3, 4, 5,
#   1)；`unsqueeze(0)` 加在最前面，这正是把单个样本变成批大小为 1 的批的方法。
# expect: ok
# order: 100

data = torch.randint(1, 10, [3, 4, 5])
data_unsqu = data.unsqueeze(-1)  # (3, 4, 5, 1)
batch_of_one = data.unsqueeze(0)  # (1, 3, 4, 5)
print(data_unsqu.shape, batch_of_one.shape)
