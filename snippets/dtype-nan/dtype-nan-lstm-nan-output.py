a = np.array([[np.nan, 1], [4, 2]])
a = np.expand_dims(a, axis=1)
a = torch.tensor(a, dtype=torch.float32)
print(a.size())

lstm = nn.LSTM(2, 4)
out, (h, c) = lstm(a)
print(h)
