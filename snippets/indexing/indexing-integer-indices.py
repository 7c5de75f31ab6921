torch.random.manual_seed(42)
data = torch.randint(0, 10, (4, 5))
rows = data[torch.tensor([0, 2])]
positions = torch.tensor([0.0, 2.0])
picked = data[positions]
