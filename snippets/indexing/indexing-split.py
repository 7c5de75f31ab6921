# id: indexing-split
# title: split cuts by piece size or by a list of sizes
# title_zh: split 按块大小或长度列表切分
# topic: indexing
# source: 003_088a8e173f7a2eb1.txt
# notice: Unlike `chunk`, an integer given to `split` is the size of each piece, not the number of
#   pieces: 7 columns by 3 give sizes 3, 3, 1. A list gives exact sizes, which must add up to the
#   dimension (2 + 5 = 7).
# notice_zh: 与 `chunk` 不同，传给 `split` 的整数是每块的长度而不是块数：7 列按 3 切，得到 3、3、1。
#   传列表则给出每块的确切长度，总和必须等于该维长度（2 + 5 = 7）。
# expect: ok
# order: 50

t = torch.arange(14).reshape(2, 7)
by_size = torch.split(t, 3, dim=1)  # pieces of 3 columns: 3, 3, 1
left, right = torch.split(t, [2, 5], dim=1)  # exactly 2 and 5 columns
print([piece.shape for piece in by_size])
print(left, right, sep="\n")
