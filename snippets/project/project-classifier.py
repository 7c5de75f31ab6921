import io

from torch.utils.data import DataLoader, TensorDataset

rng = np.random.default_rng(0)
readings = rng.normal(size=(400, 4))
readings[rng.random((400, 4)) < 0.05] = np.nan
labels = torch.from_numpy((np.nansum(readings[:, :2], axis=1) > 0).astype(np.int64))

x = torch.from_numpy(readings).float()
present = ~torch.isnan(x)
x = torch.cat([torch.nan_to_num(x, nan=0.0), present.float()], dim=1)

order = torch.randperm(len(x))
train_rows, test_rows = order[:320], order[320:]


class Classifier(nn.Module):
    def __init__(self, n_in, n_hidden, n_classes):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(n_in, n_hidden), nn.ReLU(), nn.Linear(n_hidden, n_classes))

    def forward(self, x):
        return self.layers(x)


def evaluate(model):
    model.eval()
    with torch.no_grad():
        logits = model(x[test_rows])
    return (logits.argmax(dim=1) == labels[test_rows]).float().mean().item()


model = Classifier(x.shape[1], 32, 2)
optimizer = torch.optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.01)
criterion = nn.CrossEntropyLoss()
loader = DataLoader(TensorDataset(x[train_rows], labels[train_rows]), batch_size=32, shuffle=True)

for epoch in range(20):
    model.train()
    for batch_x, batch_y in loader:
        loss = criterion(model(batch_x), batch_y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
accuracy = evaluate(model)

checkpoint = io.BytesIO()
torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 20}, checkpoint)
checkpoint.seek(0)
restored = Classifier(x.shape[1], 32, 2)
restored.load_state_dict(torch.load(checkpoint)["model"])
print(f"test accuracy {accuracy:.3f}, after restoring {evaluate(restored):.3f}")
