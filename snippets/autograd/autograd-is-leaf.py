# id: autograd-is-leaf
# title: A tensor made by an operation is not a leaf
# title_zh: 由运算得到的张量不是叶子节点
# topic: autograd
# source: 004_fdbf9b7182ff2d02.txt
# notice: `t2` requires grad but is the result of `+ 2`, so it has a `grad_fn` and is not a leaf:
#   after backward its `.grad` stays empty, the gradient goes to the hidden leaf `randn(...)`. To
#   get a leaf, do the arithmetic first and call `requires_grad_()` last. Tensors that do not
#   require grad are leaves by convention.
# notice_zh: `t2` 虽然要求梯度，但它是 `+ 2` 的结果，有 `grad_fn`，所以不是叶子节点：反向传播后它
#   的 `.grad` 仍为空，梯度流向了看不见的叶子 `randn(...)`。想要叶子节点，就先做运算，最后调
#   用 `requires_grad_()`。按照约定，不要求梯度的张量都是叶子。
# expect: ok
# order: 80

t2 = torch.randn(2, 2, requires_grad=True) + 2
print(t2.is_leaf, t2.grad_fn)  # False, AddBackward0

t3 = (torch.randn(2, 2) + 2).requires_grad_()  # arithmetic first
print(t3.is_leaf)  # True

plain = torch.randn(2, 2)  # no grad needed
print(plain.is_leaf)  # True
