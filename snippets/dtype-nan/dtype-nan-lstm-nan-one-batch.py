# id: dtype-nan-lstm-nan-one-batch
# title: NaN only poisons the batch entry that contains it
# title_zh: NaN 只影响包含它的那条数据
# topic: dtype-nan
# source: 000_17ef9363d97f9b0a.txt
# notice: With two sequences in the batch, only the first has a NaN. The sequences are computed
#   independently, so `h_first` is all NaN while `h_second` is an ordinary hidden state: one bad
#   stock does not ruin the others, but it still poisons the loss if left in.
# notice_zh: 批中有两条序列，只有第一条含 NaN。各条序列是独立计算的，所以 `h_first` 全是 NaN，
#   而 `h_second` 是正常的隐藏状态：一只股票的坏数据不会影响其他股票，但如果不处理，它仍然会污染损失
#   函数。
# expect: ok
# order: 80

a = np.array([[np.nan, 1], [4, 2]])
b = np.array([[2, 3], [4, 5]])
x = np.dstack((a, b))
x = np.transpose(x, axes=(0, 2, 1))  # (seq_len, batch, features) = (2, 2, 2)
x = torch.tensor(x, dtype=torch.float32)
print(x)

lstm = nn.LSTM(2, 4)
out, (h, c) = lstm(x)
h_first = h[:, 0]  # the sequence with the NaN
h_second = h[:, 1]  # the clean sequence
print(h)
