lstm = nn.LSTM(2, 4)
x = torch.randn(5, 3, 2)
out, (h, c) = lstm(x)
print(out.shape, h.shape)

wrong = torch.randn(5, 3, 3)
out, (h, c) = lstm(wrong)
