data1 = torch.tensor([[1, 2], [3, 4], [5, 6]])
data2 = torch.tensor([[5, 6], [7, 8]])

at = data1 @ data2
mm = torch.mm(data1, data2)
print(at)
print(torch.equal(at, mm))
