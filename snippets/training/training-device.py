# id: training-device
# title: Device-agnostic code with .to(device)
# title_zh: 用 .to(device) 写与设备无关的代码
# topic: training
# source: 002_e725bbdd62884fee.txt
# notice: Pick the device once, then move the model and every batch with `.to(device)`: the
#   parameters and buffers go along with the model, as the article says of `.cuda()`. All tensors in
#   one operation must be on the same device. The playground has no GPU, so `device` is `cpu` here
#   and the same code runs unchanged on a GPU machine.
# notice_zh: 一开始选好设备，之后用 `.to(device)` 搬运模型和每一批数据：参数和 buffer 会随模型一起移
#   动，正如原文所说的 `.cuda()`。同一个运算中的所有张量必须在同一个设备上。练习场没有 GPU，所以这里
#   的 `device` 是 `cpu`，同样的代码在有 GPU 的机器上无需修改。
# expect: ok
# order: 35

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
model = nn.Linear(3, 1).to(device)  # parameters move with the model
x = torch.randn(4, 3).to(device)  # and so must every batch
y_pred = model(x)
print(device, x.device, model.weight.device, y_pred.device)
