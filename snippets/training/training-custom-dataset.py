# id: training-custom-dataset
# title: A Dataset needs __len__ and __getitem__
# title_zh: Dataset 需要 __len__ 和 __getitem__
# topic: training
# source: 001_50eb38e264ab5ee5.txt
# notice: A map-style `Dataset` only has to say how many samples it has and return one sample for an
#   index. The article clamps the index into range; a normal dataset lets a bad index raise
#   `IndexError`.
# notice_zh: map 式的 `Dataset` 只需说明有多少个样本，并按下标返回一个样本。原文把下标截断到合法范围
#   内；通常的数据集会让非法下标抛出 `IndexError`。
# expect: ok
# order: 40

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
