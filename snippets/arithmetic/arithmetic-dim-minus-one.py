data = torch.rand([2, 3])
last = torch.cat([data, data], dim=-1)
one = torch.cat([data, data], dim=1)
print(last.shape, torch.equal(last, one))

batched = torch.rand([4, 2, 3])
per_row = batched.sum(dim=-1)
print(per_row.shape)
