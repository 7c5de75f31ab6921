t = torch.ones(64, 3, 3, 3)
t_norm = t.norm(1, 3)
print(t_norm.shape, t_norm[0, 0, 0])

t_norm_keep = t.norm(p=1, dim=3, keepdim=True)
print(t_norm_keep.shape)

v = torch.tensor([3.0, 4.0])
print(v.norm(), v.norm(p=1))
