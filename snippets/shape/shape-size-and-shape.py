x = torch.randn(100, 8)
print(x.shape, x.size(), x.shape == x.size())

n_samples = x.size(0)
n_features = x.shape[-1]
print(n_samples, n_features, len(x))
