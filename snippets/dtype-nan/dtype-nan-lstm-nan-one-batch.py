a = np.array([[np.nan, 1], [4, 2]])
b = np.array([[2, 3], [4, 5]])
x = np.dstack((a, b))
x = np.transpose(x, axes=(0, 2, 1))
x = torch.tensor(x, dtype=torch.float32)
print(x)

lstm = nn.LSTM(2, 4)
out, (h, c) = lstm(x)
h_first = h[:, 0]
h_second = h[:, 1]
print(h)
