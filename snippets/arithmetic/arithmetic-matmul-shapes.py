# id: arithmetic-matmul-shapes
# title: matmul handles 2-D and batched 3-D tensors
# title_zh: matmul 同时支持二维和三维批量张量
# topic: arithmetic
# source: 001_50eb38e264ab5ee5.txt
# notice: `torch.matmul` picks the product from the shapes: 2-D @ 2-D is `mm`, 3-D @ 3-D is `bmm`.
#   (4, 5) @ (5, 6) → (4, 6); (3, 4, 5) @ (3, 5, 8) → (3, 4, 8).
# notice_zh: `torch.matmul` 根据形状选择乘法：二维乘二维就是 `mm`，三维乘三维就是 `bmm`。(4, 5) @
#   (5, 6) → (4, 6)；(3, 4, 5) @ (3, 5, 8) → (3, 4, 8)。
# expect: ok
# order: 70

data1 = torch.randn(4, 5)
data2 = torch.randn(5, 6)
matmul1 = torch.matmul(data1, data2)
print("matmul1", matmul1.shape)

data3 = torch.randn(3, 4, 5)
data4 = torch.randn(3, 5, 8)
matmul2 = torch.matmul(data3, data4)
print("matmul2", matmul2.shape)
