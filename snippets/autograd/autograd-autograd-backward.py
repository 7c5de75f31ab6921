# id: autograd-autograd-backward
# title: torch.autograd.backward() fills the grad of every leaf
# title_zh: torch.autograd.backward() 为所有叶子节点计算梯度
# topic: autograd
# source: 003_088a8e173f7a2eb1.txt
# notice: `torch.autograd.backward(y)` is what `y.backward()` calls: it stores a gradient in `.grad`
#   of every leaf that `y` depends on, here `x.grad = w` and `w.grad = x`.
# notice_zh: `y.backward()` 内部调用的就是 `torch.autograd.backward(y)`：它为 `y` 依赖的每个叶子节点
#   在 `.grad` 中存入梯度，这里 `x.grad = w`，`w.grad = x`。
# expect: ok
# order: 100

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
w = torch.tensor([4.0, 5.0, 6.0], requires_grad=True)
y = (w * x).sum()

torch.autograd.backward(y)  # same as y.backward()
print(x.grad, w.grad)
