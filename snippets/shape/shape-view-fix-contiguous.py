data = torch.tensor([[10, 20, 30], [40, 50, 60]])
data_transpose = torch.transpose(data, 0, 1)
print(data_transpose.is_contiguous())

data_contiguous = data_transpose.contiguous()
data_view = data_contiguous.view(2, 3)
print(data_view)
