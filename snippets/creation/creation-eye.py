square = torch.eye(2)
print(square)

wide = torch.eye(3, 4)
print(wide)
