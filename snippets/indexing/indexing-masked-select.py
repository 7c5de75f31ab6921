# id: indexing-masked-select
# title: masked_select returns the masked elements as 1-D
# title_zh: masked_select 以一维形式返回掩码选中的元素
# topic: indexing
# source: 003_088a8e173f7a2eb1.txt
# notice: `torch.masked_select(t, mask)` is the same as `t[mask]`: a 1-D copy of the elements where
#   the boolean mask is True. The mask is broadcast, so a (1, 4) mask applies to every row.
# notice_zh: `torch.masked_select(t, mask)` 等价于 `t[mask]`：把布尔掩码为 True 的元素复制成一维张
#   量。掩码会广播，所以 (1, 4) 的掩码作用于每一行。
# expect: ok
# order: 100

torch.random.manual_seed(42)
t = torch.randint(0, 10, (3, 4))
mask = t.ge(5)  # t >= 5

selected = torch.masked_select(t, mask)
print(selected, torch.equal(selected, t[mask]))

every_row = torch.tensor([[True, False, False, True]])  # broadcast to (3, 4)
print(torch.masked_select(t, every_row))
