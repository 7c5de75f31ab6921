x = torch.tensor(10.0, requires_grad=True)

with torch.no_grad():
    f = x**2
print(f.requires_grad, f.grad_fn)


@torch.no_grad()
def my_func(x):
    return x**2


g = my_func(x)
h = x**2
print(g.requires_grad, h.requires_grad)
