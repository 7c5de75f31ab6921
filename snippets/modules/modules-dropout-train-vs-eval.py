dropout = nn.Dropout(p=0.5)
x = torch.ones(8)

train_out = dropout(x)
dropout.eval()
eval_out = dropout(x)
print(dropout.training, train_out, eval_out, sep="\n")
