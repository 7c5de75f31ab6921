model = nn.Linear(2, 1)
weight = model.weight
with torch.no_grad():
    model.weight.copy_(torch.tensor([[1.0, 2.0]]))
    model.bias.fill_(0.5)
print(model(torch.tensor([[1.0, 1.0]])))

model.load_state_dict({"weight": torch.tensor([[3.0, 4.0]]), "bias": torch.tensor([0.0])})
print(model.weight, model.weight is weight)
