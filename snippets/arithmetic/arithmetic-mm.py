# id: arithmetic-mm
# title: @ and torch.mm: (3, 2) @ (2, 2) → (3, 2)
# title_zh: @ 与 torch.mm：(3, 2) @ (2, 2) → (3, 2)
# topic: arithmetic
# source: 001_50eb38e264ab5ee5.txt
# notice: A matrix product needs the inner sizes to agree: (3, 2) @ (2, 2). The result takes the
#   outer sizes, (3, 2). `torch.mm` is the same product but only for 2-D tensors.
# notice_zh: 矩阵乘法要求内侧的维度相同：(3, 2) @ (2, 2)，结果取外侧维度 (3, 2)。`torch.mm` 计算的是
#   同一个乘积，但只接受二维张量。
# expect: ok
# order: 40

data1 = torch.tensor([[1, 2], [3, 4], [5, 6]])
data2 = torch.tensor([[5, 6], [7, 8]])

at = data1 @ data2
mm = torch.mm(data1, data2)
print(at)
print(torch.equal(at, mm))
