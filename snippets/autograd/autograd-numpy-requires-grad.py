x = torch.tensor([10, 20], requires_grad=True, dtype=torch.float64)
print(x.numpy())
