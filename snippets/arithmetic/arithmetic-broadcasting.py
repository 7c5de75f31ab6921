# id: arithmetic-broadcasting
# title: Broadcasting lines shapes up from the right
# title_zh: 广播从最右边的维度开始对齐形状
# topic: arithmetic
# source: 001_50eb38e264ab5ee5.txt
# notice: Shapes are compared from the last dimension backwards; each pair must be equal or contain
#   a 1, which is stretched. (2, 3) with (2, 1) works (one number per row), and with (3,) too (one
#   number per column). (2,) is lined up with the last dimension, 3, and fails. To add one number
#   per row, make it (2, 1): `wrong.unsqueeze(1)`.
# notice_zh: 形状从最后一维开始往前比较，每一对维度要么相等，要么其中一个是 1（会被拉长）。(2,
#   3) 与 (2, 1) 可以运算（每行一个数），与 (3,) 也可以（每列一个数）。(2,) 会和最后一维 3 对齐，于
#   是报错。想给每一行加一个数，要把它变成 (2, 1)：`wrong.unsqueeze(1)`。
# expect: RuntimeError
# error_line: 11
# order: 15

torch.random.manual_seed(40)
data = torch.randint(0, 10, [2, 3])

per_row = torch.randint(0, 10, [2, 1])  # (2, 1): stretched across the columns
print(data + per_row)

per_column = torch.tensor([1, 2, 3])  # (3,): lined up with the last dimension
print(data + per_column)

wrong = torch.tensor([1, 2])  # (2,): also lined up with the last dimension
result = data + wrong  # 3 and 2 differ
