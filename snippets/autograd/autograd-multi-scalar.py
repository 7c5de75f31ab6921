# id: autograd-multi-scalar
# title: One output, several scalar inputs
# title_zh: 一个输出，多个标量输入
# topic: autograd
# source: 001_50eb38e264ab5ee5.txt
# notice: One `backward()` fills the gradient of every leaf: for f = x1² + x2² + 2 x1, df/dx1 = 2 x1
#   + 2 = 22 and df/dx2 = 2 x2 = 40. Read each from its own `.grad`.
# notice_zh: 一次 `backward()` 会填好每个叶子节点的梯度：f = x1² + x2² + 2 x1 时，df/dx1 = 2 x1 + 2
#   = 22，df/dx2 = 2 x2 = 40，分别从各自的 `.grad` 读取。
# expect: ok
# order: 40

x1 = torch.tensor(10, requires_grad=True, dtype=torch.float64)
x2 = torch.tensor(20, requires_grad=True, dtype=torch.float64)
f = x1**2 + x2**2 + 2 * x1
print("f", f)

f.backward()
print(x1.grad, x2.grad)  # 22 and 40
