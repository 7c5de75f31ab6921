x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
w = torch.tensor([4.0, 5.0, 6.0], requires_grad=True)
h = w * x
y = h.sum()

torch.autograd.backward(y)
print(x.grad, w.grad)
print(h.grad)
