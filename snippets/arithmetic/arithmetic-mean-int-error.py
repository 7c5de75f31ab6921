torch.random.manual_seed(42)
data = torch.randint(0, 5, [2, 3])
total = data.sum()
average = data.mean()
