x = torch.tensor(1.0, requires_grad=True)
w = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(3.0, requires_grad=True)

y = w * x + b
y.backward()
print("dy/dx:", x.grad)

a = x.new_tensor(x, requires_grad=True)
print(a.grad, a.is_leaf)
