# id: arithmetic-clamp-clip
# title: clamp and clip squeeze values into [min, max]
# title_zh: clamp 与 clip 把数值压缩到 [min, max]
# topic: arithmetic
# source: 002_e725bbdd62884fee.txt
# notice: `torch.clip` is an alias of `torch.clamp`. Values below `min` become `min`, values above
#   `max` become `max`; the result is a new tensor. Since `rand` is in [0, 1), only the upper bound
#   0.5 bites here.
# notice_zh: `torch.clip` 是 `torch.clamp` 的别名。小于 `min` 的值变成 `min`，大于 `max` 的值变
#   成 `max`，返回新张量。`rand` 的值在 [0, 1) 之间，所以这里只有上限 0.5 起作用。
# expect: ok
# order: 150

a = torch.rand(5)
clipped = torch.clip(a, -0.5, 0.5)
clamped = torch.clamp(a, -0.5, 0.5)
print(a, clipped, sep="\n")
print(torch.equal(clipped, clamped))

b = torch.randn(6)
only_min = b.clamp(min=0)  # like ReLU
print(only_min)
