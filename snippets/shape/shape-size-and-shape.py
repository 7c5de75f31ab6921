# id: shape-size-and-shape
# title: x.shape and x.size() are the same torch.Size
# title_zh: x.shape 与 x.size() 是同一个 torch.Size
# topic: shape
# source: 001_50eb38e264ab5ee5.txt
# notice: `x.shape` is an attribute and `x.size()` a method; both give a `torch.Size`, a tuple of
#   ints. `x.size(0)` and `x.shape[0]` are the length of one dimension, as the article's `x.size(0)`
#   for the number of samples; `len(x)` is the first one too.
# notice_zh: `x.shape` 是属性，`x.size()` 是方法，两者都返回 `torch.Size`，即一个整数元
#   组。`x.size(0)` 和 `x.shape[0]` 是某一维的长度，原文就用 `x.size(0)` 取样本数；`len(x)` 也是第一
#   维的长度。
# expect: ok
# order: 5

x = torch.randn(100, 8)
print(x.shape, x.size(), x.shape == x.size())

n_samples = x.size(0)  # same as x.shape[0] and len(x)
n_features = x.shape[-1]
print(n_samples, n_features, len(x))
