# id: autograd-gradient-descent
# title: Gradient descent by hand
# title_zh: 手写梯度下降
# topic: autograd
# source: 001_50eb38e264ab5ee5.txt
# notice: Each step zeroes the old gradient, computes dy/dx = 3x², and moves x against it. The
#   update goes through `x.data` so that it is not itself recorded in the graph. y = x³ has no
#   minimum: x only creeps toward 0, where the slope vanishes.
# notice_zh: 每一步先清零旧梯度，计算 dy/dx = 3x²，再让 x 沿梯度的反方向移动。通过 `x.data` 更新，这
#   样更新本身不会被记录进计算图。y = x³ 没有最小值：x 只会慢慢接近斜率为 0 的点 0。
# expect: ok
# order: 170

x = torch.tensor(10, requires_grad=True, dtype=torch.float64)
theta = 0.01  # the learning rate
for i in range(1000):
    y = x**3
    if x.grad is not None:
        x.grad.data.zero_()
    y.backward()
    x.data = x.data - theta * x.grad
    if i < 3 or i == 999:
        print(i, x.data)
