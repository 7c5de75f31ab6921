# id: training-tensor-dataset
# title: TensorDataset wraps tensors without a class
# title_zh: TensorDataset 无需自定义类即可包装张量
# topic: training
# source: 001_50eb38e264ab5ee5.txt
# notice: `TensorDataset(x, y)` indexes all its tensors along the first dimension, so `dataset[i]`
#   is `(x[i], y[i])`. It is the quick way to get a Dataset when the data already fits in tensors.
# notice_zh: `TensorDataset(x, y)` 沿第一维对所有张量做索引，所以 `dataset[i]` 就是 `(x[i], y[i])`。
#   数据已经是张量时，这是得到 Dataset 最快的方法。
# expect: ok
# order: 60

from torch.utils.data import DataLoader, TensorDataset

x = torch.randn(100, 8)
y = torch.randint(0, 2, (x.size(0),))
sample_dataset = TensorDataset(x, y)
dataloader = DataLoader(sample_dataset, batch_size=4, shuffle=True, num_workers=0)

for batch_x, batch_y in dataloader:
    print(batch_x.shape, batch_y)
    break
