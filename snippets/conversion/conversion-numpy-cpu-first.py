# id: conversion-numpy-cpu-first
# title: detach().cpu().numpy() works for any tensor
# title_zh: detach().cpu().numpy() 适用于任何张量
# topic: conversion
# source: 002_e725bbdd62884fee.txt
# notice: NumPy reads only CPU memory, so a GPU tensor must be copied with `.cpu()` first, and a
#   tensor in the graph must be detached. `detach().cpu().numpy()` works everywhere: on a CPU tensor
#   `.cpu()` returns the tensor itself, so `array` still shares memory with `y`.
# notice_zh: NumPy 只能读取 CPU 内存，所以 GPU 上的张量要先用 `.cpu()` 复制过来，计算图中的张量还要
#   先 detach。`detach().cpu().numpy()` 在任何情况下都适用：对 CPU 张量来说 `.cpu()` 返回张量本身，
#   所以 `array` 仍与 `y` 共享内存。
# expect: ok
# order: 45

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 2  # part of the graph
on_cpu = y.detach().cpu()  # no copy when y is already on the CPU
array = on_cpu.numpy()
print(array, on_cpu.data_ptr() == y.data_ptr())
