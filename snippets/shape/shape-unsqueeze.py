data = torch.randint(1, 10, [3, 4, 5])
data_unsqu = data.unsqueeze(-1)
batch_of_one = data.unsqueeze(0)
print(data_unsqu.shape, batch_of_one.shape)
