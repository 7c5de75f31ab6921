# id: creation-rand-randn
# title: rand is uniform on [0, 1), randn is standard normal
# title_zh: rand 是 [0, 1) 均匀分布，randn 是标准正态分布
# topic: creation
# source: 001_50eb38e264ab5ee5.txt
# notice: `rand` draws from the uniform distribution on [0, 1), so it is never negative; `randn`
#   draws from N(0, 1), so about a third of the values are below -1 or above 1.
# notice_zh: `rand` 取自 [0, 1) 上的均匀分布，不会出现负数；`randn` 取自 N(0, 1)，大约三分之一的值小
#   于 -1 或大于 1。
# expect: ok
# order: 90

uniform = torch.rand(2, 3)
print(uniform)

normal = torch.randn(2, 3)
print(normal)

ints = torch.randint(0, 10, [2, 3])  # integers in [0, 10)
print(ints)
