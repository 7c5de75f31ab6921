data = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])

row_sums_flat = data.sum(dim=1)
row_sums = data.sum(dim=1, keepdim=True)
normalised = data / row_sums
print(row_sums_flat.shape, row_sums.shape)
print(normalised.sum(dim=1))
