x = torch.ones(5, requires_grad=True)
y = x.detach() * 2
z = y.sum()
z.backward()
