torch.random.manual_seed(40)
data1 = torch.randn(3, 4, 5)
data2 = torch.randn(3, 5, 8)
data = torch.bmm(data1, data2)
print("bmm", data.shape)

first = data1[0] @ data2[0]
print(torch.allclose(data[0], first))

c = torch.rand((10, 2, 5))
d = torch.rand((10, 5, 2))
res = torch.bmm(c, d)
print(res.shape)
