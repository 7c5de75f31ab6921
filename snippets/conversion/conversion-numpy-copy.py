data_tensor = torch.tensor([1, 2, 3])
data_np = data_tensor.numpy().copy()

data_tensor[0] = 2
print("after changing the tensor", data_tensor, data_np)

data_np[0] = 3
print("after changing numpy", data_tensor, data_np)

back = torch.from_numpy(data_np)
