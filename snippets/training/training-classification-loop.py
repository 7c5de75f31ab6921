from torch.utils.data import DataLoader, TensorDataset

centers = torch.tensor([[3.0, 0.0], [-3.0, 0.0], [0.0, 3.0]])
labels = torch.randint(0, 3, (300,))
points = centers[labels] + torch.randn(300, 2)

train_loader = DataLoader(TensorDataset(points[:240], labels[:240]), batch_size=32, shuffle=True)
test_points, test_labels = points[240:], labels[240:]

model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)


def accuracy(logits, targets):
    return round((logits.argmax(dim=1) == targets).float().mean().item(), 3)


for epoch in range(15):
    model.train()
    for batch_points, batch_labels in train_loader:
        loss = criterion(model(batch_points), batch_labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    model.eval()
    with torch.no_grad():
        test_logits = model(test_points)
    if epoch % 5 == 4:
        print("epoch", epoch + 1, "loss", round(loss.item(), 3), "test accuracy", accuracy(test_logits, test_labels))
