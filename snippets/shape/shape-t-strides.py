x = torch.tensor([[1, 2, 3], [4, 5, 6]])
y = x.t()
print(x.stride(), y.stride())
print(x.is_contiguous(), y.is_contiguous())
