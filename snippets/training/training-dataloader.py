from torch.utils.data import DataLoader, Dataset


class SampleDataset(Dataset):
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __len__(self):
        return len(self.y)

    def __getitem__(self, index):
        return self.x[index], self.y[index]


x = torch.randn(100, 8)
y = torch.randint(0, 2, (x.size(0),))
dataloader = DataLoader(SampleDataset(x, y), batch_size=4, shuffle=True, num_workers=0)
print(len(dataloader))

batch_x, batch_y = next(iter(dataloader))
print(batch_x.shape, batch_y)
