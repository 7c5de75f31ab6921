data = torch.zeros(2, 3)
data1 = torch.zeros_like(data)
ones = torch.ones(2, 3)

sixes = torch.full([2, 3], 6)
print(sixes, sixes.dtype)

halves = torch.full_like(data, 0.5)
print(halves)
