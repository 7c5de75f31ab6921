# id: arithmetic-matmul-mismatch
# title: matmul needs matching inner sizes
# title_zh: matmul 要求内侧维度一致
# topic: arithmetic
# source: 001_50eb38e264ab5ee5.txt
# notice: (3, 4) @ (3, 4) fails: the first operand's columns (4) must equal the second's rows (3).
#   Transposing one of them, `a @ b.T`, gives a valid (3, 3) product; `a * b` would be the
#   element-wise product instead.
# notice_zh: (3, 4) @ (3, 4) 会报错：第一个矩阵的列数 (4) 必须等于第二个矩阵的行数 (3)。转置其中一
#   个，`a @ b.T`，得到合法的 (3, 3) 乘积；而 `a * b` 是逐元素乘积。
# expect: RuntimeError
# error_line: 3
# order: 90

a = torch.randn(3, 4)
b = torch.randn(3, 4)
c = a @ b  # inner sizes 4 and 3 differ
