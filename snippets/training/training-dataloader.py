# id: training-dataloader
# title: DataLoader batches and shuffles a Dataset
# title_zh: DataLoader 对 Dataset 分批并打乱
# topic: training
# source: 001_50eb38e264ab5ee5.txt
# notice: With `batch_size=4` the loader stacks 4 samples into a (4, 8) batch and 4 labels into a
#   (4,) tensor; 100 samples make 25 batches. `shuffle=True` draws a new order each epoch.
#   `num_workers=0` loads in the main process.
# notice_zh: `batch_size=4` 时，加载器把 4 个样本堆叠成 (4, 8) 的一批，把 4 个标签堆叠成 (4,) 的张
#   量；100 个样本共 25 批。`shuffle=True` 每个 epoch 重新打乱顺序。`num_workers=0` 表示在主进程中加
#   载数据。
# expect: ok
# order: 50

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
print(len(dataloader))  # 25 batches

batch_x, batch_y = next(iter(dataloader))
print(batch_x.shape, batch_y)
