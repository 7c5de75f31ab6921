# id: autograd-zero-grad
# title: Zero the gradient before each backward()
# title_zh: 每次 backward() 之前把梯度清零
# topic: autograd
# source: 001_50eb38e264ab5ee5.txt
# notice: Zeroing `x.grad` before each `backward()` makes every pass report the gradient of that
#   pass alone: [5, 10, 15, 20] each time. `x.grad` is None before the first backward, hence the
#   check. In a training loop `optimizer.zero_grad()` does this for you.
# notice_zh: 每次 `backward()` 之前把 `x.grad` 清零，每一轮得到的就只是本轮的梯度：每次都是 [5, 10,
#   15, 20]。第一次 backward 之前 `x.grad` 是 None，所以要先判断。训练循环中
#   由 `optimizer.zero_grad()` 完成这件事。
# expect: ok
# order: 130

x = torch.tensor([10, 20, 30, 40], requires_grad=True, dtype=torch.float32)
for _ in range(3):
    f1 = x**2 + 20
    f2 = f1.mean()
    if x.grad is not None:
        x.grad.data.zero_()  # forget the previous pass
    f2.backward()
    print(x.grad)
