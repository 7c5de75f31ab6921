# id: autograd-requires-grad-needs-float
# title: requires_grad on an integer tensor fails
# title_zh: 整数张量不能设置 requires_grad
# topic: autograd
# source: 001_50eb38e264ab5ee5.txt
# notice: Gradients are about small continuous changes, which integers do not have, so only floating
#   (and complex) tensors can require grad. Write `torch.tensor(10.0, ...)` or pass
#   `dtype=torch.float32`, as the article does with `dtype=torch.float64`.
# notice_zh: 梯度描述的是连续的微小变化，整数没有这种变化，所以只有浮点（和复数）张量可以要求梯度。
#   写成 `torch.tensor(10.0, ...)` 或者传入 `dtype=torch.float32`，原文用的就
#   是 `dtype=torch.float64`。
# expect: RuntimeError
# error_line: 1
# order: 25

x = torch.tensor(10, requires_grad=True)  # 10 is an int: int64
