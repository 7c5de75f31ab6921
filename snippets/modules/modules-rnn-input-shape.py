# id: modules-rnn-input-shape
# title: An LSTM checks the number of features per time step
# title_zh: LSTM 会检查每个时间步的特征数
# topic: modules
# source: 000_17ef9363d97f9b0a.txt
# notice: `nn.LSTM(2, 4)` expects input of shape (seq_len, batch, 2), as in the article's stock data
#   with two prices per day, and returns `out` (seq_len, batch, 4) and `h`, `c` (1, batch, 4). Three
#   features per step do not fit `input_size=2`.
# notice_zh: `nn.LSTM(2, 4)` 要求输入形状为 (seq_len, batch, 2)，就像原文中每天两个价格的股票数据；
#   输出 `out` 为 (seq_len, batch, 4)，`h`、`c` 为 (1, batch, 4)。每个时间步有 3 个特征时
#   与 `input_size=2` 不符。
# expect: RuntimeError
# error_line: 7
# order: 140

lstm = nn.LSTM(2, 4)  # input_size=2, hidden_size=4
x = torch.randn(5, 3, 2)  # (seq_len, batch, features)
out, (h, c) = lstm(x)
print(out.shape, h.shape)  # (5, 3, 4) and (1, 3, 4)

wrong = torch.randn(5, 3, 3)  # 3 features per step
out, (h, c) = lstm(wrong)
