torch.random.manual_seed(40)
data = torch.randint(0, 10, [2, 3])

per_row = torch.randint(0, 10, [2, 1])
print(data + per_row)

per_column = torch.tensor([1, 2, 3])
print(data + per_column)

wrong = torch.tensor([1, 2])
result = data + wrong
