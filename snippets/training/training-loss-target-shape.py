pred = torch.randn(4, 1)
target = torch.randn(4)
criterion = nn.MSELoss()

wrong = criterion(pred, target)
right = criterion(pred, target.reshape(-1, 1))
print(wrong, right)
