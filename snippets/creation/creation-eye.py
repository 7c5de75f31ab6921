# id: creation-eye
# title: eye(n, m) makes an identity matrix
# title_zh: eye(n, m) 生成单位矩阵
# topic: creation
# source: 002_e725bbdd62884fee.txt
# notice: `torch.eye(n)` is the n×n identity; with a second argument it is n×m with ones on the main
#   diagonal only. It is always 2-D.
# notice_zh: `torch.eye(n)` 是 n×n 单位矩阵；传第二个参数时是 n×m 矩阵，只有主对角线为 1。结果总是二
#   维的。
# expect: ok
# order: 70

square = torch.eye(2)
print(square)

wide = torch.eye(3, 4)  # 3 rows, 4 columns
print(wide)
