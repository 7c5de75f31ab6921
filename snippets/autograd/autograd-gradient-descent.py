x = torch.tensor(10, requires_grad=True, dtype=torch.float64)
theta = 0.01
for i in range(1000):
    y = x**3
    if x.grad is not None:
        x.grad.zero_()
    y.backward()
    with torch.no_grad():
        x -= theta * x.grad
    if i < 3 or i == 999:
        print(i, x.item())
