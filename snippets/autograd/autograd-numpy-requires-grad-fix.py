x = torch.tensor([10, 20], requires_grad=True, dtype=torch.float64)
array = x.detach().numpy()
print(array, type(array), x.device)

y = x * 2
on_cpu = y.detach().cpu()
print(on_cpu.numpy(), on_cpu.data_ptr() == y.data_ptr())

independent = x.detach().numpy().copy()
