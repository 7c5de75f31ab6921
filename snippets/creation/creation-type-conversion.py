data = torch.full([2, 3], 6)
print("before", data.dtype)

data1 = data.type(torch.FloatTensor)
data2 = data.float()
data3 = data.to(torch.float64)
print("after", data1.dtype, data2.dtype, data3.dtype)
print("data itself", data.dtype)

same = data2.float()
print(same is data2)
