x = torch.randn(2, 3)
y = torch.randn(2, 3)
z_cat = torch.cat([x, y], dim=0)
z_cat1 = torch.cat([x, y], dim=1)

w = torch.randn(5, 3)
uneven = torch.cat([x, w], dim=0)
print(z_cat.shape, z_cat1.shape, uneven.shape)
