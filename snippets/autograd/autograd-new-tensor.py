# id: autograd-new-tensor
# title: new_tensor copies data, not the gradient
# title_zh: new_tensor 只复制数据，不复制梯度
# topic: autograd
# source: 004_fdbf9b7182ff2d02.txt
# notice: `x.new_tensor(x, requires_grad=True)` copies the values into a brand-new leaf: `a` is not
#   part of the graph that made `y`, so `a.grad` is None while `x.grad` is 2. PyTorch also warns
#   that `x.detach().clone()` is the recommended way to copy a tensor.
# notice_zh: `x.new_tensor(x, requires_grad=True)` 把数值复制成一个全新的叶子节点：`a` 不在计
#   算 `y` 的计算图里，所以 `a.grad` 是 None，而 `x.grad` 是 2。PyTorch 还会警告，推荐
#   用 `x.detach().clone()` 来复制张量。
# expect: ok
# order: 250

x = torch.tensor(1.0, requires_grad=True)
w = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(3.0, requires_grad=True)

y = w * x + b
y.backward()
print("dy/dx:", x.grad)

a = x.new_tensor(x, requires_grad=True)  # a copy of x's data
print(a.grad)  # None: no gradient is copied
