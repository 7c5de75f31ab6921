class TwoLayer(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.out = nn.Linear(n_hidden, n_out)

    def forward(self, x):
        return self.out(self.hidden(x).clamp(min=0))


model = TwoLayer(3, 8, 2)
calls = []
model.register_forward_hook(lambda module, inputs, output: calls.append(output.shape))

x = torch.randn(4, 3)
y = model(x)
y_direct = model.forward(x)
print(model)
print(y.shape, torch.equal(y, y_direct), calls)
