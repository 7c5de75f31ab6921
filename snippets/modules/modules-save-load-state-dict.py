import io

model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
buffer = io.BytesIO()
torch.save(model.state_dict(), buffer)

buffer.seek(0)
restored = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
restored.load_state_dict(torch.load(buffer))
print(torch.equal(model[0].weight, restored[0].weight))
print(list(restored.state_dict().keys()))
