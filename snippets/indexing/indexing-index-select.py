torch.random.manual_seed(42)
t = torch.randint(0, 10, (3, 4))
index = torch.tensor([0, 2])

rows = torch.index_select(t, dim=0, index=index)
columns = torch.index_select(t, dim=1, index=torch.tensor([3, 3, 0]))
print(t, rows, columns, sep="\n")
