def decay_only(optimizer_class):
    w = torch.tensor([5.0, 0.5], requires_grad=True)
    optimizer = optimizer_class([w], lr=0.1, weight_decay=0.01)
    for _ in range(10):
        optimizer.zero_grad()
        loss = (w * 0).sum()
        loss.backward()
        optimizer.step()
    return w.detach()


adam = decay_only(torch.optim.Adam)
adamw = decay_only(torch.optim.AdamW)
print(adam, adamw)
print(torch.allclose(adamw, torch.tensor([5.0, 0.5]) * (1 - 0.1 * 0.01) ** 10))
