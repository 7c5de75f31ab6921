samples = torch.normal(0.0, 1.0, size=(2, 3))
print(samples)

means = torch.arange(1.0, 5.0)
stds = torch.full((4,), 0.1)
around_means = torch.normal(means, stds)  # each element with its own mean and std
print(around_means)
