# id: creation-normal
# title: normal(mean, std) with scalars or tensors
# title_zh: normal(mean, std) 可以用标量或张量作参数
# topic: creation
# source: 003_088a8e173f7a2eb1.txt
# notice: With scalar `mean` and `std`, `torch.normal` needs a `size`. With tensors, each element
#   gets its own mean and standard deviation, and the result has their shape.
# notice_zh: `mean` 和 `std` 都是标量时，`torch.normal` 需要 `size` 参数；传入张量时，每个元素有自己
#   的均值和标准差，结果的形状与它们相同。
# expect: ok
# order: 100

samples = torch.normal(0.0, 1.0, size=(2, 3))
print(samples)

means = torch.arange(1.0, 5.0)  # [1, 2, 3, 4]
stds = torch.full((4,), 0.1)
around_means = torch.normal(means, stds)  # element i ~ N(means[i], 0.1)
print(around_means)
