# id: modules-freeze-layer
# title: Freeze a layer with requires_grad = False
# title_zh: 用 requires_grad = False 冻结一层
# topic: modules
# source: 002_e725bbdd62884fee.txt
# notice: Setting `requires_grad = False` on the (pretend pre-trained) first layer's parameters
#   stops gradients there: after backward its `.grad` stays None and `optimizer.step()` leaves it
#   unchanged, while the last layer trains. Pass only the trainable parameters to the optimizer.
# notice_zh: 把（假装已预训练的）第一层参数的 `requires_grad` 设为 False，梯度就在这里停止：反向传播
#   后它的 `.grad` 仍为 None，`optimizer.step()` 也不会改变它，而最后一层照常训练。只把可训练的参数
#   交给优化器。
# expect: ok
# order: 30

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
for param in model[0].parameters():  # the "pre-trained" layer
    param.requires_grad = False

trainable = [p for p in model.parameters() if p.requires_grad]
optimizer = torch.optim.SGD(trainable, lr=0.1)
frozen_before = model[0].weight.clone()

loss = model(torch.randn(5, 4)).pow(2).mean()
optimizer.zero_grad()
loss.backward()
optimizer.step()
print(model[0].weight.grad, model[2].weight.grad is not None)  # None, True
print(torch.equal(model[0].weight, frozen_before))  # unchanged
