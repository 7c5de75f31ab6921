# id: autograd-numpy-requires-grad
# title: numpy() on a tensor that requires grad fails
# title_zh: 对要求梯度的张量调用 numpy() 会报错
# topic: autograd
# source: 004_fdbf9b7182ff2d02.txt
# notice: A NumPy array shares the tensor's memory but lives outside autograd; changes made through
#   it could silently corrupt gradients, so PyTorch refuses. Detach first: `x.detach().numpy()`.
# notice_zh: NumPy 数组与张量共享内存，却在 autograd 之外；通过它做的修改可能悄悄破坏梯度，所
#   以 PyTorch 拒绝转换。先分离：`x.detach().numpy()`。
# expect: RuntimeError
# error_line: 2
# order: 260

x = torch.tensor([10, 20], requires_grad=True, dtype=torch.float64)
print(x.numpy())
