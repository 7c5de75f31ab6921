x = torch.ones(5, requires_grad=True)
x.add_(1)
