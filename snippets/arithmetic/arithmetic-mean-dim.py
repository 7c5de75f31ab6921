torch.random.manual_seed(42)
data1 = torch.randint(0, 5, [2, 3], dtype=torch.float64)
print(data1)

overall = data1.mean()
per_row = data1.mean(dim=1)
per_column = data1.mean(dim=0)
print(overall, per_row, per_column, sep="\n")
