# id: indexing-chunk
# title: chunk cuts a tensor into n pieces
# title_zh: chunk 把张量切成 n 块
# topic: indexing
# source: 003_088a8e173f7a2eb1.txt
# notice: `torch.chunk(t, 3, dim=1)` asks for 3 pieces; each gets ceil(7 / 3) = 3 columns and the
#   last gets what is left (1). The pieces are views of `t`: no data is copied.
# notice_zh: `torch.chunk(t, 3, dim=1)` 要求切成 3 块；每块 ceil(7 / 3) = 3 列，最后一块是剩下
#   的 1 列。每一块都是 `t` 的视图，不复制数据。
# expect: ok
# order: 40

t = torch.arange(14).reshape(2, 7)
first, second, third = torch.chunk(t, 3, dim=1)  # 3, 3 and 1 columns
print(first.shape, second.shape, third.shape)

halves = t.chunk(2, dim=0)  # a tuple of two (1, 7) views
print(halves)
