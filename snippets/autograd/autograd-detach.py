x = torch.rand(3, 4, requires_grad=True)
y = x.detach()
print(y.requires_grad, y.grad_fn, y.data_ptr() == x.data_ptr())

x1 = torch.tensor([10, 20], requires_grad=True, dtype=torch.float64)
x2 = x1.detach()
x2[0] = 100
print(x1)
