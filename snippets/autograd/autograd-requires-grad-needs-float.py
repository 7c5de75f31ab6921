x = torch.tensor(10.0, requires_grad=True)
y = torch.tensor(10, requires_grad=True)
