torch.random.manual_seed(40)
data = torch.randint(0, 10, [2, 3])
tensor = torch.randint(0, 10, [2, 1])

address = data.data_ptr()
result = data.add_(tensor)
print("result", data)
print(result is data, data.data_ptr() == address)
