# id: shape-view
# title: view reshapes without copying
# title_zh: view 不复制数据地改变形状
# topic: shape
# source: 001_50eb38e264ab5ee5.txt
# notice: `view` returns a tensor over the same memory, so writing into `data_view` changes `data`
#   too. It only works when the new shape fits the existing strides, which is always true for a
#   contiguous tensor like `data`.
# notice_zh: `view` 返回指向同一块内存的张量，所以修改 `data_view` 也会改变 `data`。只有新形状与现有
#   步长相容时才能使用，对 `data` 这样的连续张量总是可以。
# expect: ok
# order: 50

data = torch.tensor([[10, 20, 30], [40, 50, 60]])
data_view = data.view(3, 2)
print(data_view.shape, data.is_contiguous())

data_view[0, 0] = 99  # writes through to data
print(data)
