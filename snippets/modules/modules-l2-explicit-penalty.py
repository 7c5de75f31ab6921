# id: modules-l2-explicit-penalty
# title: L2 regularisation as an explicit penalty
# title_zh: 以显式惩罚项实现 L2 正则化
# topic: modules
# source: 000_17ef9363d97f9b0a.txt
# notice: Adding `lam * Σ w²` to the loss adds `2 * lam * w` to each gradient, the same as
#   `weight_decay = 2 * lam`. Writing it out lets you choose which parameters to penalise (often the
#   weights but not the biases).
# notice_zh: 在损失中加上 `lam * Σ w²`，相当于给每个梯度加上 `2 * lam * w`，与 `weight_decay = 2 *
#   lam` 等价。显式写出来可以自己选择惩罚哪些参数（通常只惩罚权重，不惩罚偏置）。
# expect: ok
# order: 130

x = torch.randn(8, 3)
y = torch.randn(8, 1)
model = nn.Linear(3, 1)
lam = 0.005

mse = F.mse_loss(model(x), y)
l2 = (model.weight**2).sum()  # the weights only
loss = mse + lam * l2

(mse_grad,) = torch.autograd.grad(mse, model.weight, retain_graph=True)
loss.backward()
print(torch.allclose(model.weight.grad, mse_grad + 2 * lam * model.weight))  # True
