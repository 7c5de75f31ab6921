torch.random.manual_seed(42)
data = torch.randint(0, 100, (4, 5))
print(data)

mask = data > 30
big = data[mask]
rows = data[data[:, 1] >= 20]
print(mask, big, rows, sep="\n")
