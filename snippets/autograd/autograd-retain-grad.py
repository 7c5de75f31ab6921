# id: autograd-retain-grad
# title: retain_grad() keeps a non-leaf gradient
# title_zh: retain_grad() 保留非叶子节点的梯度
# topic: autograd
# source: 003_088a8e173f7a2eb1.txt
# notice: During backward, the gradients of intermediate (non-leaf) tensors are used and then
#   dropped, so `z.grad` is None (and PyTorch warns when you read it). Calling `y.retain_grad()`
#   before backward keeps `y.grad` (here 2 × y).
# notice_zh: 反向传播时，中间（非叶子）张量的梯度用完就被释放，所以 `z.grad` 是 None（读取它
#   时 PyTorch 会给出警告）。在 backward 之前调用 `y.retain_grad()`，`y.grad` 就会被保留（这里是 2 ×
#   y）。
# expect: ok
# order: 90

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2  # non-leaf
y.retain_grad()  # keep y.grad
z = x + 1  # non-leaf, not retained
loss = (y**2).sum() + z.sum()
loss.backward()

print(x.grad)  # a leaf: always kept
print(y.grad)  # kept: 2 * y
print(z.grad)  # None
