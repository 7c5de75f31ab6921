# id: autograd-grad-accumulation
# title: Gradients accumulate across backward() calls
# title_zh: 多次 backward() 的梯度会累加
# topic: autograd
# source: 001_50eb38e264ab5ee5.txt
# notice: Each `backward()` adds to `x.grad` instead of replacing it: the first element goes 5 → 10
#   → 15, so after three passes `x.grad` is three times the true gradient x / 2. Useful to sum
#   gradients over several batches, a bug in an ordinary training loop.
# notice_zh: 每次 `backward()` 都是把梯度加到 `x.grad` 上而不是替换：第一个元素依次为 5 → 10 → 15，
#   三次之后 `x.grad` 是真实梯度 x / 2 的三倍。这可以用来累加多个批次的梯度，但在普通训练循环里就
#   是 bug。
# expect: ok
# order: 120

x = torch.tensor([10, 20, 30, 40], requires_grad=True, dtype=torch.float32)
for _ in range(3):
    f1 = x**2 + 20
    f2 = f1.mean()
    f2.backward()  # adds to x.grad
    print(x.grad)
