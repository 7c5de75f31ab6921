# id: indexing-stack-needs-same-shape
# title: stack needs tensors of exactly the same shape
# title_zh: stack 要求张量形状完全相同
# topic: indexing
# source: 001_50eb38e264ab5ee5.txt
# notice: `cat` accepted (2, 3) and (5, 3) along dim 0, but `stack` puts the tensors side by side in
#   a new dimension, so every size must match. Use `cat`, or pad the tensors first.
# notice_zh: `cat` 沿第 0 维可以拼接 (2, 3) 和 (5, 3)，而 `stack` 把张量并排放进一个新维度，所以每一
#   维的长度都必须相同。改用 `cat`，或者先把张量填充到相同形状。
# expect: RuntimeError
# error_line: 4
# order: 30

x = torch.randn(2, 3)
w = torch.randn(5, 3)
joined = torch.cat([x, w], dim=0)  # fine: (7, 3)
stacked = torch.stack([x, w], dim=0)  # shapes differ
