# id: autograd-backward-non-scalar
# title: backward() on a non-scalar fails
# title_zh: 对非标量调用 backward() 会报错
# topic: autograd
# source: 004_fdbf9b7182ff2d02.txt
# notice: `y` is 2×2. `backward()` with no argument assumes dy = 1, which only makes sense for a
#   single number, so PyTorch refuses. Reduce first (`y.sum().backward()`), or pass the weights of
#   each element, `y.backward(torch.ones_like(y))`.
# notice_zh: `y` 是 2×2 的。不带参数的 `backward()` 假设 dy = 1，这只对单个数有意义，所以 PyTorch 拒
#   绝执行。先约减（`y.sum().backward()`），或者传入每个元素的权
#   重 `y.backward(torch.ones_like(y))`。
# expect: RuntimeError
# error_line: 6
# order: 60

t1 = torch.randn(2, 2, requires_grad=True)
t2 = torch.randn(2, 2, requires_grad=True)

y = t1 * t2
print(y.shape)
y.backward()  # y has 4 elements
