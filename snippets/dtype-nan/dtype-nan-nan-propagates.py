# id: dtype-nan-nan-propagates
# title: One NaN spreads through every result that touches it
# title_zh: 一个 NaN 会传播到所有用到它的结果
# topic: dtype-nan
# source: 000_17ef9363d97f9b0a.txt
# notice: Any arithmetic with NaN gives NaN, so the sum and mean of `a` are NaN although only one
#   element is missing. NaN is not even equal to itself; find it with `torch.isnan`, and skip it
#   with `torch.nansum` / `torch.nanmean`.
# notice_zh: 任何与 NaN 的运算结果都是 NaN，所以虽然 `a` 只缺一个值，它的和与均值都是 NaN。NaN 甚至
#   不等于它自己；用 `torch.isnan` 找出它，用 `torch.nansum` / `torch.nanmean` 跳过它。
# expect: ok
# order: 60

a = torch.tensor([1.0, float("nan"), 3.0])
total = a.sum()  # nan
average = a.mean()  # nan
print(total, average, a[1] == a[1])  # NaN != NaN

missing = torch.isnan(a)  # [False, True, False]
clean_total = torch.nansum(a)  # 4
print(missing, clean_total)
