torch.random.manual_seed(42)
t = torch.randint(0, 10, (3, 4))
mask = t.ge(5)

selected = torch.masked_select(t, mask)
print(selected, torch.equal(selected, t[mask]))

every_row = torch.tensor([[True, False, False, True]])
corners = torch.masked_select(t, every_row)
print(corners)
try:
    t[every_row]
except IndexError as error:
    print("t[every_row] fails:", error)
