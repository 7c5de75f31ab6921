# id: creation-logspace
# title: logspace is evenly spaced on a log scale
# title_zh: logspace 在对数刻度上均匀分布
# topic: creation
# source: 003_088a8e173f7a2eb1.txt
# notice: `torch.logspace(start, end, steps)` returns `base ** linspace(start, end, steps)`: the
#   exponents are evenly spaced, so the values grow by the same factor each step.
# notice_zh: `torch.logspace(start, end, steps)` 返回 `base ** linspace(start, end, steps)`：指数均
#   匀分布，所以每一步都乘以同一个倍数。
# expect: ok
# order: 60

powers_of_ten = torch.logspace(0, 3, 4)  # 10**0, 10**1, 10**2, 10**3
print(powers_of_ten)

powers_of_two = torch.logspace(0, 4, 5, base=2)  # 1, 2, 4, 8, 16
print(powers_of_two)
