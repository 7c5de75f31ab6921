# id: indexing-integer-indices
# title: Index tensors must be integers or booleans
# title_zh: 索引张量必须是整数或布尔类型
# topic: indexing
# source: 003_088a8e173f7a2eb1.txt
# notice: A tensor used as an index must hold positions (`int64`/`int32`) or a mask (`bool`).
#   Positions computed with float arithmetic are `float32` and rejected, even when they are whole
#   numbers. Convert them with `positions.long()`.
# notice_zh: 用作索引的张量必须是位置（`int64`/`int32`）或掩码（`bool`）。用浮点运算算出的位置
#   是 `float32`，即使数值是整数也会被拒绝。用 `positions.long()` 转换。
# expect: IndexError
# error_line: 5
# order: 95

torch.random.manual_seed(42)
data = torch.randint(0, 10, (4, 5))
rows = data[torch.tensor([0, 2])]  # int64 positions: rows 0 and 2
positions = torch.tensor([0.0, 2.0])  # the same positions, as floats
picked = data[positions]
