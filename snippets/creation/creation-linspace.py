# id: creation-linspace
# title: linspace(start, end, steps) includes both ends
# title_zh: linspace(start, end, steps) 包含两个端点
# topic: creation
# source: 001_50eb38e264ab5ee5.txt
# notice: The third argument of `linspace` is the number of points, not the step. 100 points from 0
#   to 10 inclusive are 99 gaps apart, so the step is 10 / 99 ≈ 0.1010, not 0.1.
# notice_zh: `linspace` 的第三个参数是点的个数而不是步长。从 0 到 10（含两端）取 100 个点，中间
#   有 99 个间隔，所以步长是 10 / 99 ≈ 0.1010 而不是 0.1。
# expect: ok
# order: 50

data = torch.linspace(0, 10, 100)
print(data[:5], data[-1])

step = data[1] - data[0]  # 10 / 99
print(step)
