values = torch.tensor([1.7, -1.7, 2.5, 0.2])
truncated = values.long()
rounded = values.round().long()
print(truncated, rounded)

labels = torch.tensor([0.0, 2.0, 1.0]).long()
print(labels.dtype)
