# id: arithmetic-bmm
# title: bmm multiplies a batch of matrices: (b, n, m) @ (b, m, p)
# title_zh: bmm 批量矩阵乘法：(b, n, m) @ (b, m, p)
# topic: arithmetic
# source: 001_50eb38e264ab5ee5.txt
# notice: `torch.bmm` does `b` independent matrix products. The batch sizes must be equal, and the
#   inner sizes must agree: (3, 4, 5) and (3, 5, 8) give (3, 4, 8).
# notice_zh: `torch.bmm` 做 `b` 个互相独立的矩阵乘法。两个张量的批大小必须相等，内侧维度必须一
#   致：(3, 4, 5) 与 (3, 5, 8) 得到 (3, 4, 8)。
# expect: ok
# order: 50

torch.random.manual_seed(40)
data1 = torch.randn(3, 4, 5)
data2 = torch.randn(3, 5, 8)
data = torch.bmm(data1, data2)
print("bmm", data.shape)

first = data1[0] @ data2[0]  # the first product on its own
print(torch.allclose(data[0], first))

c = torch.rand((10, 2, 5))
d = torch.rand((10, 5, 2))
res = torch.bmm(c, d)  # (10, 2, 2)
print(res.shape)
