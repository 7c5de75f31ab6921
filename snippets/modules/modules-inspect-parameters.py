model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
for name, param in model.named_parameters():
    print(name, tuple(param.shape), param.requires_grad)

total = sum(p.numel() for p in model.parameters())
print("parameters:", total)
first_weight = model[0].weight
print(first_weight)
