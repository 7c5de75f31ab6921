perm = torch.randperm(10)
print(perm, perm.dtype)

another = torch.randperm(10)
print(another)
