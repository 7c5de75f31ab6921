torch.random.manual_seed(40)
data = torch.randint(0, 10, [2, 3])
tensor = torch.randint(0, 10, [2, 1])
data.div_(tensor)
