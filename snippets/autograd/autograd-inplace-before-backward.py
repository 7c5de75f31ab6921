# id: autograd-inplace-before-backward
# title: Changing a saved tensor in place breaks backward()
# title_zh: 原地修改被保存的张量会导致 backward() 失败
# topic: autograd
# source: 003_088a8e173f7a2eb1.txt
# notice: `z = y**2` saves `y` to compute 2y later. `y.add_(1)` changes `y` in place and bumps its
#   version counter (0 → 1); at backward time autograd sees that the saved `y` is no longer the
#   value used and raises. Use the out-of-place `y = y + 1`.
# notice_zh: `z = y**2` 保存了 `y`，以便之后计算 2y。`y.add_(1)` 原地修改了 `y`，它的版本号从 0 变
#   为 1；反向传播时 autograd 发现保存的 `y` 已不是当初使用的值，于是报错。应改用非原地的 `y = y +
#   1`。
# expect: RuntimeError
# error_line: 5
# order: 280

x = torch.ones(5, requires_grad=True)
y = x * 2  # an intermediate result
z = y**2  # saves y for the backward pass
y.add_(1)  # in-place: y's version goes 0 → 1
z.sum().backward()
