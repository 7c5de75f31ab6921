data1 = torch.randn(4, 5)
data2 = torch.randn(5, 6)
data = torch.bmm(data1, data2)
