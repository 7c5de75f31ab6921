empty_2x3 = torch.Tensor(2, 3)
print(empty_2x3.shape, empty_2x3.dtype)

from_list = torch.Tensor([2, 3])
print(from_list)

with_function = torch.tensor([2, 3])
print(with_function, with_function.dtype)
