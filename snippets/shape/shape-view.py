data = torch.tensor([[10, 20, 30], [40, 50, 60]])
data_view = data.view(3, 2)
print(data_view.shape, data.is_contiguous())
print(data_view.data_ptr() == data.data_ptr())

data_view[0, 0] = 99
print(data)
