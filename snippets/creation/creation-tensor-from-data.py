scalar = torch.tensor(10)
print(scalar, scalar.dtype, scalar.shape)

data = np.random.randn(2, 3)
from_numpy = torch.tensor(data)
print(from_numpy.dtype)

nested = torch.tensor([[[i for i in range(10)], [j for j in range(10, 20)]]])
print(nested.shape, nested.dtype)

floats = torch.tensor([1.0, 2.0, 3.0])
print(floats.dtype)
