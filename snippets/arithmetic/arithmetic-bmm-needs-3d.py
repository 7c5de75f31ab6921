# id: arithmetic-bmm-needs-3d
# title: bmm refuses 2-D tensors
# title_zh: bmm 不接受二维张量
# topic: arithmetic
# source: 002_e725bbdd62884fee.txt
# notice: `torch.bmm` accepts only 3-D tensors (batch, rows, columns); even a plain pair of matrices
#   is rejected. Use `torch.mm` or `@` for 2-D, or add a batch dimension with `unsqueeze(0)`.
#   `torch.matmul` accepts both.
# notice_zh: `torch.bmm` 只接受三维张量（批、行、列），普通的两个矩阵也会被拒绝。二维时
#   用 `torch.mm` 或 `@`，或者用 `unsqueeze(0)` 加一个批维度；`torch.matmul` 两者都接受。
# expect: RuntimeError
# error_line: 3
# order: 60

data1 = torch.randn(4, 5)
data2 = torch.randn(5, 6)
data = torch.bmm(data1, data2)  # 2-D inputs: bmm needs 3-D
