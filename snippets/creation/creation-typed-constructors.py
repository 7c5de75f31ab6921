ints = torch.IntTensor(2, 3)
print(ints.dtype)

floats = torch.FloatTensor(2, 3)
print(floats.dtype)

converted = torch.IntTensor([1.7, -1.7, 2.2])
print(converted)
