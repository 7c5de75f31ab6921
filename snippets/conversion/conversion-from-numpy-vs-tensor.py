data_numpy = np.array([2, 3, 4])
data_tensor1 = torch.from_numpy(data_numpy)
data_tensor_copy = torch.from_numpy(data_numpy.copy())
data_tensor2 = torch.tensor(data_numpy)
data_tensor3 = torch.as_tensor(data_numpy)

data_numpy[0] = 100
print(data_tensor1, data_tensor3)
print(data_tensor_copy, data_tensor2)
