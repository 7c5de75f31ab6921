model = nn.Linear(in_features=10, out_features=5)
input = torch.randn(4, 10)
y_pred = model(input)
print(y_pred.shape, model.weight.shape, model.bias.shape)

by_hand = input @ model.weight.T + model.bias
print(torch.allclose(y_pred, by_hand))
