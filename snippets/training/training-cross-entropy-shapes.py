logits = torch.randn(4, 3)
labels = torch.tensor([0, 2, 1, 1])
criterion = nn.CrossEntropyLoss()
loss = criterion(logits, labels)

by_hand = -F.log_softmax(logits, dim=1)[torch.arange(4), labels].mean()
print(loss, by_hand)
