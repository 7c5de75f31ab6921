# id: arithmetic-matmul-broadcast
# title: matmul broadcasts batch dimensions and 1-D vectors
# title_zh: matmul 会广播批维度和一维向量
# topic: arithmetic
# source: 000_17ef9363d97f9b0a.txt
# notice: matmul's rules: a 1-D first operand is treated as a row (its dimension is removed
#   afterwards), a 1-D second operand as a column; beyond the last two dimensions, batch dimensions
#   broadcast, so (3, 4, 5) @ (5, 8) reuses one matrix for every batch and (2, 1, 4, 5) @ (3, 5, 8)
#   gives (2, 3, 4, 8).
# notice_zh: matmul 的规则：第一个操作数是一维时当作行向量（之后去掉该维），第二个是一维时当作列向
#   量；最后两维之外的批维度按广播规则对齐，所以 (3, 4, 5) @ (5, 8) 对每个批都使用同一个矩阵，(2, 1,
#   4, 5) @ (3, 5, 8) 得到 (2, 3, 4, 8)。
# expect: ok
# order: 80

vector = torch.randn(5)
matrix = torch.randn(5, 8)
batch = torch.randn(3, 4, 5)

dot = torch.matmul(vector, vector)  # 1-D @ 1-D: a 0-d dot product
row = torch.matmul(vector, matrix)  # (5) @ (5, 8) → (8)
column = torch.matmul(batch, vector)  # (3, 4, 5) @ (5) → (3, 4)
shared = torch.matmul(batch, matrix)  # (3, 4, 5) @ (5, 8) → (3, 4, 8)
grid = torch.matmul(torch.randn(2, 1, 4, 5), torch.randn(3, 5, 8))  # → (2, 3, 4, 8)
print(dot.shape, row.shape, column.shape, shared.shape, grid.shape)
