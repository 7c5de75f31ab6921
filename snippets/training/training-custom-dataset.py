from torch.utils.data import Dataset


class SampleDataset(Dataset):
    def __init__(self, x, y):
        self.x = x
        self.y = y
        self.len = len(y)

    def __len__(self):
        return self.len

    def __getitem__(self, index):
        index = min(max(index, 0), self.len - 1)
        return self.x[index], self.y[index]


x = torch.randn(100, 8)
y = torch.randint(0, 2, (x.size(0),))
sample_dataset = SampleDataset(x, y)
features, label = sample_dataset[0]
print(len(sample_dataset), features, label)

far_away, far_label = sample_dataset[500]
print(torch.equal(far_away, x[99]))
