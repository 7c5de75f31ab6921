# id: creation-long-truncates
# title: long() truncates toward zero
# title_zh: long() 向零截断
# topic: creation
# source: 000_17ef9363d97f9b0a.txt
# notice: Converting floats with `long()` (or `int()`) drops the fraction, rounding toward zero:
#   -1.7 becomes -1, not -2. Use `round()` first when you mean rounding. Class labels are converted
#   with `long()` because losses such as `CrossEntropyLoss` need `int64`.
# notice_zh: 用 `long()`（或 `int()`）转换浮点数时直接丢掉小数部分，向零取整：-1.7 变成 -1 而不
#   是 -2。需要四舍五入时先调用 `round()`。类别标签要用 `long()` 转换，因为 `CrossEntropyLoss` 等损
#   失函数要求 `int64`。
# expect: ok
# order: 150

values = torch.tensor([1.7, -1.7, 2.5, 0.2])
truncated = values.long()  # [1, -1, 2, 0]
rounded = values.round().long()  # round half to even: [2, -2, 2, 0]
print(truncated, rounded)

labels = torch.tensor([0.0, 2.0, 1.0]).long()
print(labels.dtype)
