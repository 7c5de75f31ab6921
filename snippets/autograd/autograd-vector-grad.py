x = torch.tensor([10, 20, 30, 40], requires_grad=True, dtype=torch.float64)
f = x**2 + 20
print("f", f)

f_mean = f.mean()
f_mean.backward()
print(x.grad)
