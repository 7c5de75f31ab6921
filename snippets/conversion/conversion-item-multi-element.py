data = torch.tensor([10, 20])
print(data.shape)
num = data.item()
