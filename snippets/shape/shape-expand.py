row = torch.tensor([[1, 2, 3]])
expanded = row.expand(4, 3)
repeated = row.repeat(4, 1)
print(expanded.stride(), repeated.stride())
print(torch.equal(expanded, repeated))

row[0, 0] = 100
print(expanded[:, 0], repeated[:, 0])
