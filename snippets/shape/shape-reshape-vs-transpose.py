# id: shape-reshape-vs-transpose
# title: reshape and transpose give the same shape, different tensors
# title_zh: reshape 和 transpose 形状相同，内容不同
# topic: shape
# source: 001_50eb38e264ab5ee5.txt
# notice: Both turn (3, 4, 5) into (4, 3, 5), but `reshape` just re-reads the elements in their
#   memory order, while `transpose(data, 0, 1)` really swaps the two axes: `data_transpose[i, j] ==
#   data[j, i]`. Use transpose/permute to reorder axes.
# notice_zh: 两者都把 (3, 4, 5) 变成 (4, 3, 5)，但 `reshape` 只是按内存顺序重新读取元
#   素，`transpose(data, 0, 1)` 才是真正交换两个轴：`data_transpose[i, j] == data[j, i]`。要调整轴的
#   顺序应该用 transpose/permute。
# expect: ok
# order: 20

torch.random.manual_seed(42)
data = torch.randint(0, 10, [3, 4, 5])
data_reshape = torch.reshape(data, [4, 3, 5])
data_transpose = torch.transpose(data, 0, 1)

print(data_reshape.shape, data_transpose.shape)
print(torch.equal(data_reshape, data_transpose))  # False
print(torch.equal(data_transpose[1, 0], data[0, 1]))  # True
