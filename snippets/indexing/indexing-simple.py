torch.random.manual_seed(42)
data = torch.randint(0, 10, (4, 5))
print(data)

row = data[0]
element = data[0, 1]
same_element = data[0][1]
column_slice = data[:3, 2:3]
rows_then_rows = data[:3][2:3]
print(row, element, same_element, column_slice, rows_then_rows, sep="\n")
