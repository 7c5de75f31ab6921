x = torch.tensor([10, 20, 30, 40], requires_grad=True, dtype=torch.float32)
for _ in range(3):
    f1 = x**2 + 20
    f2 = f1.mean()
    if x.grad is not None:
        x.grad.zero_()
    f2.backward()
    print(x.grad)
