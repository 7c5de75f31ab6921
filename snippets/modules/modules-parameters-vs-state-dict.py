model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
params = list(model.parameters())
print([tuple(p.shape) for p in params], params[0].requires_grad)

state = model.state_dict()
print(list(state.keys()))
saved_weight = state["0.weight"]
print(saved_weight.requires_grad, saved_weight.data_ptr() == model[0].weight.data_ptr())
