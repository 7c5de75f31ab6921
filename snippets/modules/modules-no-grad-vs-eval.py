# id: modules-no-grad-vs-eval
# title: no_grad() and eval() do different jobs
# title_zh: no_grad() 与 eval() 作用不同
# topic: modules
# source: 002_e725bbdd62884fee.txt
# notice: `no_grad()` stops recording the graph but leaves dropout active, so two calls still
#   differ. `eval()` turns dropout off (and makes batch norm use its running statistics) but still
#   records the graph (`c.requires_grad` is True), contrary to the article's claim. For inference
#   use both.
# notice_zh: `no_grad()` 停止记录计算图，但 dropout 仍然生效，所以两次调用结果不同。`eval()` 关
#   闭 dropout（并让 BN 使用滑动统计量），但仍会记录计算图（`c.requires_grad` 为 True），与原文的说
#   法相反。推理时两者都要用。
# expect: ok
# order: 50

model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
x = torch.ones(2, 4)

with torch.no_grad():  # still in training mode
    a = model(x)
    b = model(x)
print(torch.equal(a, b), a.requires_grad)  # False, False

model.eval()  # dropout off, graph still recorded
c = model(x)
d = model(x)
print(torch.equal(c, d), c.requires_grad)  # True, True

with torch.no_grad():  # inference: both
    e = model(x)
