# id: creation-randperm
# title: randperm(n) shuffles 0..n-1
# title_zh: randperm(n) 打乱 0 到 n-1
# topic: creation
# source: 003_088a8e173f7a2eb1.txt
# notice: `torch.randperm(n)` is a random permutation of the integers 0 to n-1 (`int64`): every
#   index exactly once. Indexing with it shuffles rows, as a DataLoader with `shuffle=True` does.
# notice_zh: `torch.randperm(n)` 是 0 到 n-1 的随机排列（`int64`），每个下标恰好出现一次。用它做索引
#   可以打乱行的顺序，就像 `shuffle=True` 的 DataLoader 那样。
# expect: ok
# order: 120

perm = torch.randperm(10)
print(perm)
print(perm.sort().values)  # every index once

rows = torch.arange(12).reshape(4, 3)
shuffled = rows[torch.randperm(4)]
print(shuffled)
