# id: indexing-index-select
# title: index_select picks entries along one dimension
# title_zh: index_select 沿某一维按下标选取
# topic: indexing
# source: 003_088a8e173f7a2eb1.txt
# notice: `torch.index_select(t, dim, index)` needs an integer tensor of indices (`int64` or
#   `int32`) and keeps the other dimensions whole. An index may repeat. The result is a copy.
# notice_zh: `torch.index_select(t, dim, index)` 需要整数类型的下标张量（`int64` 或 `int32`），其他
#   维度完整保留。下标可以重复。结果是副本。
# expect: ok
# order: 90

torch.random.manual_seed(42)
t = torch.randint(0, 10, (3, 4))
index = torch.tensor([0, 2])

rows = torch.index_select(t, dim=0, index=index)  # rows 0 and 2: (2, 4)
columns = torch.index_select(t, dim=1, index=torch.tensor([3, 3, 0]))  # (3, 3)
print(t, rows, columns, sep="\n")
