x = np.random.randn(4, 4)
kept = torch.from_numpy(x)
copied = torch.tensor(x)
print(kept.dtype, copied.dtype)

as_float32 = torch.tensor(x, dtype=torch.float32)
from_float32 = torch.from_numpy(x.astype(np.float32))
u = torch.from_numpy(np.array([1, 2, 3])).float()
print(as_float32.dtype, from_float32.dtype, u)
