torch.random.manual_seed(42)
data = torch.randint(0, 100, (3, 4, 5))

first_block = data[0, :, :]
first_rows = data[:, 0, :]
first_columns = data[:, :, 0]
print(first_block.shape, first_rows.shape, first_columns.shape)
print(first_rows)
