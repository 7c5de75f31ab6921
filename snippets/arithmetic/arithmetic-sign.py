a = torch.tensor([0.7, -1.2, 0.0, 2.3])
signs = torch.sign(a)
print(signs)
print(torch.equal(signs * a.abs(), a))
