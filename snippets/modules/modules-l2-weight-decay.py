# id: modules-l2-weight-decay
# title: L2 regularisation with weight_decay
# title_zh: 用 weight_decay 实现 L2 正则化
# topic: modules
# source: 000_17ef9363d97f9b0a.txt
# notice: With `weight_decay=wd`, SGD adds `wd * w` to each gradient before the step: w ← w −
#   lr·(grad + wd·w). The check below reproduces the step by hand. Note that it decays every
#   parameter given to the optimizer, biases included.
# notice_zh: 设置 `weight_decay=wd` 后，SGD 在更新前给每个梯度加上 `wd * w`：w ← w − lr·(grad +
#   wd·w)。下面手工重现了这一步。注意它会衰减交给优化器的所有参数，包括偏置。
# expect: ok
# order: 120

x = torch.randn(8, 3)
y = torch.randn(8, 1)
model = nn.Linear(3, 1)
w_before = model.weight.detach().clone()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=0.01)

loss = F.mse_loss(model(x), y)
optimizer.zero_grad()
loss.backward()
grad = model.weight.grad.clone()
optimizer.step()

expected = w_before - 0.1 * (grad + 0.01 * w_before)
print(torch.allclose(model.weight, expected))  # True
