# id: indexing-simple
# title: Rows, elements and slices
# title_zh: 行、元素与切片索引
# topic: indexing
# source: 001_50eb38e264ab5ee5.txt
# notice: `data[0, 1]` and `data[0][1]` are the same element, but `data[:3, 2:3]` and
#   `data[:3][2:3]` are not the same: the second slices rows twice and returns row 2 (the article
#   printed `tensor(7)` for it, which is wrong). Basic slices are views of `data`.
# notice_zh: `data[0, 1]` 与 `data[0][1]` 是同一个元素，但 `data[:3, 2:3]` 与 `data[:3][2:3]` 不同：
#   后者两次都在切行，得到第 2 行（原文说它是 `tensor(7)`，这是错误的）。基本切片得到的是 `data` 的
#   视图。
# expect: ok
# order: 60

torch.random.manual_seed(42)
data = torch.randint(0, 10, (4, 5))
print(data)

row = data[0]  # the first row
element = data[0, 1]  # same as data[0][1]
column_slice = data[:3, 2:3]  # rows 0-2, column 2: shape (3, 1)
rows_then_rows = data[:3][2:3]  # rows 0-2, then row 2 of those: shape (1, 5)
print(row, element, column_slice, rows_then_rows, sep="\n")
