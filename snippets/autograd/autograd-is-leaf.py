base = torch.randn(2, 2, requires_grad=True)
t2 = base + 2
print(base.is_leaf, t2.is_leaf, t2.grad_fn)

t2.sum().backward()
print(base.grad)
print(t2.grad)

t3 = (torch.randn(2, 2) + 2).requires_grad_()
plain = torch.randn(2, 2)
print(t3.is_leaf, plain.is_leaf, plain.requires_grad)
