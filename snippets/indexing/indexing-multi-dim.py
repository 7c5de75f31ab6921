# id: indexing-multi-dim
# title: Indexing one dimension of a 3-D tensor
# title_zh: 对三维张量的某一维做索引
# topic: indexing
# source: 001_50eb38e264ab5ee5.txt
# notice: Fixing one index of a (3, 4, 5) tensor removes that dimension: `data[0, :, :]` is (4, 5),
#   `data[:, 0, :]` is (3, 5) and `data[:, :, 0]` is (3, 4).
# notice_zh: 固定 (3, 4, 5) 张量某一维的下标会去掉这一维：`data[0, :, :]` 是 (4, 5)，`data[:, 0,
#   :]` 是 (3, 5)，`data[:, :, 0]` 是 (3, 4)。
# expect: ok
# order: 80

torch.random.manual_seed(42)
data = torch.randint(0, 100, (3, 4, 5))

first_block = data[0, :, :]  # (4, 5)
first_rows = data[:, 0, :]  # (3, 5)
first_columns = data[:, :, 0]  # (3, 4)
print(first_block.shape, first_rows.shape, first_columns.shape)
print(first_rows)
