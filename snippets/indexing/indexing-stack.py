# id: indexing-stack
# title: stack joins tensors along a new dimension
# title_zh: stack 沿新维度堆叠张量
# topic: indexing
# source: 002_e725bbdd62884fee.txt
# notice: `torch.stack` adds a dimension at position `dim`: two (3, 3) tensors give (2, 3, 3) with
#   `dim=0` and (3, 3, 2) with `dim=-1`. `c[0]` is `a` again.
# notice_zh: `torch.stack` 在 `dim` 位置新增一维：两个 (3, 3) 张量在 `dim=0` 时得到 (2, 3,
#   3)，`dim=-1` 时得到 (3, 3, 2)。`c[0]` 就是 `a`。
# expect: ok
# order: 20

a = torch.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
b = torch.tensor([[11, 22, 33], [44, 55, 66], [77, 88, 99]])
c = torch.stack([a, b], dim=0)  # (2, 3, 3)
print(c)

last = torch.stack([a, b], dim=-1)  # (3, 3, 2): pairs a[i, j], b[i, j]
print(last.shape, torch.equal(c[0], a))
