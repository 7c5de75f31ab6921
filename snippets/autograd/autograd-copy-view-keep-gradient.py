# id: autograd-copy-view-keep-gradient
# title: clone, view and transpose do not change gradients
# title_zh: clone、view 和转置不改变梯度
# topic: autograd
# source: 000_17ef9363d97f9b0a.txt
# notice: The article's conclusion: only numeric operations affect the gradient. Copying (`clone`),
#   reshaping (`view`) and transposing move values around but do not change them, so `x.grad` is the
#   2 that `* 2` gives, exactly as for `(x * 2).sum()`. `x**2` instead gives 2x.
# notice_zh: 原文的结论：只有数值运算才会影响梯度。复制（`clone`）、变形（`view`）和转置只是移动数值
#   而不改变数值，所以 `x.grad` 就是 `* 2` 给出的 2，与 `(x * 2).sum()` 完全相同；而 `x**2` 给出的
#   是 2x。
# expect: ok
# order: 310

x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
copied = x.clone()
viewed = copied.view(4)
moved = viewed.view(2, 2).t()
loss = (moved * 2).sum()
loss.backward()
print(x.grad)  # all 2

w = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
(w**2).sum().backward()  # a numeric operation: the gradient is 2w
print(w.grad)
