criterion = nn.MSELoss()
torch.random.manual_seed(42)
y_pred = torch.randn(3, 5, requires_grad=True)
y_true = torch.randn(3, 5, requires_grad=True)

loss = criterion(y_pred, y_true)
by_hand = ((y_pred - y_true) ** 2).mean()
print(loss, by_hand)
