model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
x = torch.ones(2, 4)

with torch.no_grad():
    a = model(x)
    b = model(x)
print(torch.equal(a, b), a.requires_grad)

model.eval()
c = model(x)
d = model(x)
print(torch.equal(c, d), c.requires_grad)

with torch.no_grad():
    e = model(x)
