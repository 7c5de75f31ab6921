data = torch.arange(0, 10, 2)
print(data, data.dtype)

wrapped = torch.Tensor(data)
print(wrapped, wrapped.dtype)

halves = torch.arange(0, 2, 0.5)
print(halves, halves.dtype)
