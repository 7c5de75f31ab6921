a = torch.tensor([1.0, float("nan"), 3.0])
total = a.sum()
average = a.mean()
print(total, average, a[1] == a[1])

missing = torch.isnan(a)
clean_total = torch.nansum(a)
print(missing, clean_total)
