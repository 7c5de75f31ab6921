# id: arithmetic-inplace
# title: A trailing underscore modifies the tensor in place
# title_zh: 方法名末尾的下划线表示原地修改
# topic: arithmetic
# source: 001_50eb38e264ab5ee5.txt
# notice: `data.add_(tensor)` writes the sum into `data`'s own memory and returns `data` itself; no
#   new tensor is made. `data.add(tensor)` (no underscore) leaves `data` alone.
# notice_zh: `data.add_(tensor)` 把结果写回 `data` 自己的内存并返回 `data` 本身，不创建新张量；不带
#   下划线的 `data.add(tensor)` 不改变 `data`。
# expect: ok
# order: 20

torch.random.manual_seed(40)
data = torch.randint(0, 10, [2, 3])
tensor = torch.randint(0, 10, [2, 1])

address = data.data_ptr()
result = data.add_(tensor)  # data itself now holds the sum
print("result", data)
print(result is data, data.data_ptr() == address)
