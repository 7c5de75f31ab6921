# id: arithmetic-hadamard-vs-matmul
# title: * is element-wise (Hadamard), @ is the matrix product
# title_zh: * 是逐元素相乘（阿达玛积），@ 是矩阵乘法
# topic: arithmetic
# source: 001_50eb38e264ab5ee5.txt
# notice: `mul` and `*` multiply matching elements (the Hadamard product), so both tensors need the
#   same (or broadcastable) shape. `@` is the matrix product: rows times columns. For the same two
#   matrices they give different answers.
# notice_zh: `mul` 和 `*` 把对应位置的元素相乘（阿达玛积），两个张量形状必须相同（或可广播）；`@` 是
#   矩阵乘法：行乘列。同样两个矩阵，两种乘法结果不同。
# expect: ok
# order: 30

data1 = torch.tensor([[1, 2], [3, 4]])
data2 = torch.tensor([[5, 6], [7, 8]])

hadamard = data1.mul(data2)  # [[5, 12], [21, 32]]
star = data1 * data2  # the same
matrix = data1 @ data2  # [[19, 22], [43, 50]]
print(hadamard, star, matrix, sep="\n")
