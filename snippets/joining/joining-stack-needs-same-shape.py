x = torch.randn(2, 3)
w = torch.randn(5, 3)
joined = torch.cat([x, w], dim=0)
stacked = torch.stack([x, w], dim=0)
