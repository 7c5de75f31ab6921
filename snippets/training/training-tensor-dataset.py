from torch.utils.data import DataLoader, TensorDataset

x = torch.randn(100, 8)
y = torch.randint(0, 2, (x.size(0),))
sample_dataset = TensorDataset(x, y)
features, label = sample_dataset[3]
print(torch.equal(features, x[3]), torch.equal(label, y[3]))

dataloader = DataLoader(sample_dataset, batch_size=4, shuffle=True, num_workers=0)
for batch_x, batch_y in dataloader:
    print(batch_x.shape, batch_y)
    break
