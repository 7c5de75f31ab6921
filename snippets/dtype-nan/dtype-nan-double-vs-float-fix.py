model = nn.Linear(4, 2)

at_creation = torch.tensor(np.random.randn(4, 4), dtype=torch.float32)
out1 = model(at_creation)

x = torch.tensor(np.random.randn(4, 4))
model.train()
out2 = model(x.float())
print(at_creation.dtype, x.dtype, out1.dtype, out2.dtype)

double_model = nn.Linear(4, 2).double()
out3 = double_model(x)
print(out3.dtype)
