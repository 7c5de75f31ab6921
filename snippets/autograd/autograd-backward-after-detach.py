# id: autograd-backward-after-detach
# title: backward() through a detached tensor fails
# title_zh: 经过 detach 的结果无法 backward()
# topic: autograd
# source: 002_e725bbdd62884fee.txt
# notice: `x.detach()` cuts the graph, so `y` and `z` are computed from a tensor that does not
#   require grad: `z` has no `grad_fn` and `backward()` has nothing to follow back to `x`. Detach
#   only what should not get gradients.
# notice_zh: `x.detach()` 切断了计算图，`y` 和 `z` 都由不要求梯度的张量算出：`z` 没
#   有 `grad_fn`，`backward()` 无法回溯到 `x`。只对不需要梯度的部分调用 detach。
# expect: RuntimeError
# error_line: 4
# order: 200

x = torch.ones(5, requires_grad=True)
y = x.detach() * 2
z = y.sum()  # y has no gradient
z.backward()
