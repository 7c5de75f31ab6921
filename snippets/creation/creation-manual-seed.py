# id: creation-manual-seed
# title: manual_seed makes random tensors repeatable
# title_zh: manual_seed 让随机张量可以复现
# topic: creation
# source: 001_50eb38e264ab5ee5.txt
# notice: Re-seeding with the same number replays the same random stream, so `first` and `second`
#   are equal; with seed 42, `randn(2, 3)` gives the article's numbers 0.3367, 0.1288, 0.2345, ...
#   `torch.random.manual_seed` and `torch.manual_seed` are the same.
# notice_zh: 用同一个数重新设置种子会重放同一个随机序列，所以 `first` 和 `second` 相等；种子
#   为 42 时 `randn(2, 3)` 得到原文中的 0.3367、0.1288、0.2345……
#   `torch.random.manual_seed` 与 `torch.manual_seed` 是同一个函数。
# expect: ok
# order: 130

torch.random.manual_seed(42)
first = torch.randn(2, 3)

torch.manual_seed(42)
second = torch.randn(2, 3)  # the same numbers again

print(first)
print(torch.equal(first, second))
