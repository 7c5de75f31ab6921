# id: arithmetic-mean-dim
# title: mean over everything, over dim=0 and over dim=1
# title_zh: 对全部元素、dim=0 和 dim=1 求均值
# topic: arithmetic
# source: 001_50eb38e264ab5ee5.txt
# notice: `dim` names the dimension that is reduced away: `mean(dim=1)` averages along each row and
#   leaves one value per row (shape (2,)); `mean(dim=0)` leaves one per column (shape (3,)).
# notice_zh: `dim` 指定被消去的维度：`mean(dim=1)` 沿每一行求平均，每行留下一个值（形
#   状 (2,)）；`mean(dim=0)` 每列留下一个值（形状 (3,)）。
# expect: ok
# order: 100

torch.random.manual_seed(42)
data1 = torch.randint(0, 5, [2, 3], dtype=torch.float64)
print(data1)

overall = data1.mean()
per_row = data1.mean(dim=1)
per_column = data1.mean(dim=0)
print(overall, per_row, per_column, sep="\n")
