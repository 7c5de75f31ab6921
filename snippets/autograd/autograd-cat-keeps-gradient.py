# id: autograd-cat-keeps-gradient
# title: cat passes gradients straight through
# title_zh: cat 拼接会原样传递梯度
# topic: autograd
# source: 000_17ef9363d97f9b0a.txt
# notice: Joining does not change any value, so it does not change the gradient either: each element
#   of `a` and `b` gets exactly the 3 that the multiplication gives it, as if the two had been used
#   separately.
# notice_zh: 拼接不改变任何数值，因此也不改变梯度：`a` 和 `b` 的每个元素得到的都正好是乘法给出的 3，
#   就像分别使用它们一样。
# expect: ok
# order: 300

a = torch.tensor([1.0, 2.0], requires_grad=True)
b = torch.tensor([3.0, 4.0, 5.0], requires_grad=True)
c = torch.cat([a, b])  # joining only
loss = (c * 3).sum()
loss.backward()
print(a.grad, b.grad)  # all 3
