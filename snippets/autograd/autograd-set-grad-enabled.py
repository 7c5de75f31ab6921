x = torch.tensor(10.0, requires_grad=True)

is_training = False
with torch.set_grad_enabled(is_training):
    g = x**2
print(g.requires_grad)

torch.set_grad_enabled(False)
f = x**2
print(f.requires_grad)
f.backward()
