x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
moved = x.clone().view(4).view(2, 2).t()
(moved * 2).sum().backward()
print(x.grad)

v = torch.tensor([1.0, 2.0], requires_grad=True)
v.repeat(3).sum().backward()
print(v.grad)

w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
w[torch.tensor([0, 0, 2])].sum().backward()
print(w.grad)
