# id: autograd-graph-linear
# title: Gradients of y = w * x + b
# title_zh: y = w * x + b 的梯度
# topic: autograd
# source: 004_fdbf9b7182ff2d02.txt
# notice: Every operation on a tensor that requires grad records a node in the computation graph
#   (`y.grad_fn` is `AddBackward0`). `y.backward()` walks the graph back to the leaves and stores
#   dy/dx = w = 2, dy/dw = x = 1 and dy/db = 1 in their `.grad`.
# notice_zh: 对需要梯度的张量做的每一步运算都会在计算图中记录一个节点
#   （`y.grad_fn` 是 `AddBackward0`）。`y.backward()` 沿计算图回溯到叶子节点，把 dy/dx = w =
#   2、dy/dw = x = 1、dy/db = 1 存进它们的 `.grad`。
# expect: ok
# order: 10

x = torch.tensor(1.0, requires_grad=True)
w = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(3.0, requires_grad=True)

y = w * x + b
print(y)

y.backward()  # gradients of y with respect to the leaves
print("dy/dx:", x.grad)
print("dy/dw:", w.grad)
print("dy/db:", b.grad)
