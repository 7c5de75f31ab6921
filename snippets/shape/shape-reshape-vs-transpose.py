torch.random.manual_seed(42)
data = torch.randint(0, 10, [3, 4, 5])
data_reshape = torch.reshape(data, [4, 3, 5])
data_transpose = torch.transpose(data, 0, 1)

print(data_reshape.shape, data_transpose.shape)
print(torch.equal(data_reshape, data_transpose))
print(torch.equal(data_transpose[1, 0], data[0, 1]))
