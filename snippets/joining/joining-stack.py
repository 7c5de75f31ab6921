a = torch.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
b = torch.tensor([[11, 22, 33], [44, 55, 66], [77, 88, 99]])
c = torch.stack([a, b], dim=0)
print(c)

last = torch.stack([a, b], dim=2)
print(last.shape, torch.equal(c[0], a))
