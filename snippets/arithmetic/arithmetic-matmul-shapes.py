data1 = torch.randn(4, 5)
data2 = torch.randn(5, 6)
matmul1 = torch.matmul(data1, data2)
print("matmul1", matmul1.shape)

data3 = torch.randn(3, 4, 5)
data4 = torch.randn(3, 5, 8)
matmul2 = torch.matmul(data3, data4)
print("matmul2", matmul2.shape)
