bn = nn.BatchNorm1d(3)
x = torch.randn(8, 3) * 5 + 10

with torch.no_grad():
    train_out = bn(x)
print(bn.running_mean)

bn.eval()
eval_out = bn(x)
print(train_out.mean(dim=0), eval_out.mean(dim=0))
print(torch.allclose(eval_out, x))
