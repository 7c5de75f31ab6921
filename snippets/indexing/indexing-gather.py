scores = torch.tensor([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3], [0.3, 0.3, 0.4]])
labels = torch.tensor([[1], [0], [2]])
picked = scores.gather(1, labels)
print(picked)

rows = torch.arange(3)
same = scores[rows, labels[:, 0]]
print(same)
