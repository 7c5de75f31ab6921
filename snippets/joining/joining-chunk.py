t = torch.arange(14).reshape(2, 7)
first, second, third = torch.chunk(t, 3, dim=1)
print(first.shape, second.shape, third.shape)

pieces = torch.arange(6).chunk(4)
print(len(pieces), [piece.shape for piece in pieces])
