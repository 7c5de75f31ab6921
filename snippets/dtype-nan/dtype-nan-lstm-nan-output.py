# id: dtype-nan-lstm-nan-output
# title: A NaN input makes the LSTM output NaN
# title_zh: 输入中的 NaN 让 LSTM 的输出全是 NaN
# topic: dtype-nan
# source: 000_17ef9363d97f9b0a.txt
# notice: The input is (seq_len, batch, features) = (2, 1, 2) and day one holds a NaN (a suspended
#   stock with no price). The LSTM carries its state from step to step, so the NaN reaches every
#   later step: `out`, `h` and `c` are all NaN.
# notice_zh: 输入形状为 (seq_len, batch, features) = (2, 1, 2)，第一天有一个 NaN（停牌的股票没有价
#   格）。LSTM 的状态沿时间步传递，NaN 会传到之后的每一步：`out`、`h` 和 `c` 全是 NaN。
# expect: ok
# order: 70

a = np.array([[np.nan, 1], [4, 2]])
a = np.expand_dims(a, axis=1)  # (seq_len, batch, features)
a = torch.tensor(a, dtype=torch.float32)
print(a.size())

lstm = nn.LSTM(2, 4)
out, (h, c) = lstm(a)  # the article calls lstm.forward(a): the same
print(h)  # all nan
