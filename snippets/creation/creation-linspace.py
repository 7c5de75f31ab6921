five = torch.linspace(0, 1, 5)
print(five)

data = torch.linspace(0, 10, 100)
print(data)
