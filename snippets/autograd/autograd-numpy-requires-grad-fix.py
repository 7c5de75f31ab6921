# id: autograd-numpy-requires-grad-fix
# title: Fix: detach() before numpy()
# title_zh: 修复：先 detach() 再 numpy()
# topic: autograd
# source: 001_50eb38e264ab5ee5.txt
# notice: `x.detach()` is a tensor outside the graph, so `numpy()` is allowed. The array still
#   shares memory with `x`; add `.copy()` when it must be independent.
# notice_zh: `x.detach()` 是计算图之外的张量，所以可以调用 `numpy()`。得到的数组仍与 `x` 共享内存；
#   需要独立副本时再加 `.copy()`。
# expect: ok
# order: 270

x = torch.tensor([10, 20], requires_grad=True, dtype=torch.float64)
array = x.detach().numpy()
print(array, type(array))

independent = x.detach().numpy().copy()
