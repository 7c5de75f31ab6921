# id: modules-dropout-train-vs-eval
# title: Dropout is active in train() and off in eval()
# title_zh: Dropout 在 train() 下生效，在 eval() 下关闭
# topic: modules
# source: 002_e725bbdd62884fee.txt
# notice: In training mode dropout zeroes each element with probability p and scales the survivors
#   by 1 / (1 - p) = 2, so the expected value is unchanged. After `eval()` it passes the input
#   through untouched.
# notice_zh: 训练模式下 dropout 以概率 p 把每个元素置零，并把保留下来的元素乘以 1 / (1 - p) = 2，使
#   期望值不变。调用 `eval()` 之后，它原样输出输入。
# expect: ok
# order: 40

dropout = nn.Dropout(p=0.5)
x = torch.ones(8)

train_out = dropout(x)  # some zeros, the rest 2.0
dropout.eval()
eval_out = dropout(x)  # all ones
print(train_out, eval_out, sep="\n")
