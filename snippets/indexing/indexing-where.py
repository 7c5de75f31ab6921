x = torch.tensor([-2.0, -0.5, 0.0, 1.5, 3.0])
clipped = torch.where(x > 0, x, 0.0)
signs = torch.where(x >= 0, 1, -1)
print(clipped, signs)

(positive_at,) = torch.where(x > 0)
print(positive_at)
