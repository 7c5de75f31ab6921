class NoisyLinear(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_features, in_features))
        # the article uses torch.FloatTensor(out, in): memory left as it was
        self.register_buffer("weight_epsilon", torch.zeros(out_features, in_features))
        self.scale = torch.ones(1)

    def forward(self, x):
        return x @ (self.weight + self.weight_epsilon).t() * self.scale


model = NoisyLinear(3, 2)
print([name for name, _ in model.named_parameters()])
print([name for name, _ in model.named_buffers()])
print(list(model.state_dict().keys()))

model.to(torch.float64)
print(model.weight.dtype, model.weight_epsilon.dtype, model.scale.dtype)
