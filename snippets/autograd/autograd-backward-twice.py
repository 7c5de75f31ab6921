# id: autograd-backward-twice
# title: backward() twice through the same graph fails
# title_zh: 对同一张计算图调用两次 backward() 会报错
# topic: autograd
# source: 001_50eb38e264ab5ee5.txt
# notice: The first `backward()` frees the values the graph saved (here `x` for the derivative of
#   x²) to save memory, so a second pass through the same graph has nothing to work with. The
#   accumulation lesson rebuilds `f2` in every pass; to reuse one graph, call
#   `f2.backward(retain_graph=True)` the first time.
# notice_zh: 第一次 `backward()` 会释放计算图保存的中间值（这里是求 x² 的导数要用的 `x`）以节省内
#   存，所以第二次沿同一张图反向传播时就没有数据可用了。梯度累加那一课每一轮都重新计算 `f2`；想重复
#   使用同一张图，第一次调用时写 `f2.backward(retain_graph=True)`。
# expect: RuntimeError
# error_line: 5
# order: 125

x = torch.tensor([10, 20, 30, 40], requires_grad=True, dtype=torch.float32)
f2 = (x**2 + 20).mean()
f2.backward()  # frees what the graph saved
print(x.grad)
f2.backward()  # the same graph again
