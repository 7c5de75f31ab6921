# id: dtype-nan-fill-and-mask
# title: Fix: fill NaN with 0 and keep a mask
# title_zh: 修复：把 NaN 填充为 0 并保留掩码
# topic: dtype-nan
# source: 000_17ef9363d97f9b0a.txt
# notice: `torch.nan_to_num` replaces every NaN with 0, so the LSTM output is finite for all
#   sequences. The mask, `~torch.isnan(x)`, remembers which values were real, so later steps (like
#   the loss) can ignore the filled-in ones.
# notice_zh: `torch.nan_to_num` 把所有 NaN 替换为 0，LSTM 对所有序列的输出都是有限值。掩
#   码 `~torch.isnan(x)` 记住哪些值是真实的，之后的步骤（比如损失函数）就可以忽略填充的值。
# expect: ok
# order: 90

x = torch.tensor([[[float("nan"), 1.0], [2.0, 3.0]], [[4.0, 2.0], [4.0, 5.0]]])
mask = ~torch.isnan(x)  # True where a real price exists
x_filled = torch.nan_to_num(x, nan=0.0)

lstm = nn.LSTM(2, 4)
out, (h, c) = lstm(x_filled)
print(mask)
print(torch.isnan(h).any())  # False
