# id: training-sgd-step
# title: One SGD step: zero_grad, backward, step
# title_zh: 一步 SGD：zero_grad、backward、step
# topic: training
# source: 001_50eb38e264ab5ee5.txt
# notice: `zero_grad()` clears old gradients, `backward()` computes new ones, and `step()` moves
#   every parameter by −lr × grad. (The article calls `zero_grad()` and `step()` with no backward in
#   between, which changes nothing.)
# notice_zh: `zero_grad()` 清除旧梯度，`backward()` 计算新梯度，`step()` 让每个参数移动 −lr × grad。
#   （原文调用 `zero_grad()` 和 `step()` 时中间没有 backward，参数不会变化。）
# expect: ok
# order: 30

model = nn.Linear(in_features=10, out_features=5)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
x = torch.randn(4, 10)
target = torch.randn(4, 5)
before = model.weight.detach().clone()

optimizer.zero_grad()
loss = F.mse_loss(model(x), target)
loss.backward()
optimizer.step()

print(torch.allclose(model.weight, before - 0.01 * model.weight.grad))  # True
