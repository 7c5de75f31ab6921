data1 = torch.tensor(0)
data2 = torch.tensor([10])
data3 = torch.tensor([[20]])
print(data1.shape, data2.shape, data3.shape)

num1 = data1.item()
num2 = data2.item()
num3 = data3.item()
print(num1, num2, num3, type(num3))
