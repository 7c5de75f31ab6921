# id: modules-register-buffer
# title: register_buffer keeps a tensor in state_dict without training it
# title_zh: register_buffer 让张量进入 state_dict 但不参与训练
# topic: modules
# source: 002_e725bbdd62884fee.txt
# notice: A buffer is saved with the model (`state_dict`) and moves with it (`.to()`, `.cuda()`),
#   but it is not a parameter, so the optimizer never updates it. A plain attribute like
#   `self.scale` gets neither: it is not saved and not moved.
# notice_zh: buffer 会随模型一起保存（`state_dict`）和移动（`.to()`、`.cuda()`），但它不是参数，优化
#   器不会更新它。像 `self.scale` 这样的普通属性两者都得不到：既不会被保存，也不会被移动。
# expect: ok
# order: 20


class NoisyLinear(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_features, in_features))
        # the article uses torch.FloatTensor(out, in), which is uninitialised memory
        self.register_buffer("weight_epsilon", torch.zeros(out_features, in_features))
        self.scale = torch.ones(1)  # a plain attribute

    def forward(self, x):
        return x @ (self.weight + self.weight_epsilon).t() * self.scale


model = NoisyLinear(3, 2)
print([name for name, _ in model.named_parameters()])  # ['weight']
print([name for name, _ in model.named_buffers()])  # ['weight_epsilon']
print(list(model.state_dict().keys()))  # both, but not 'scale'
