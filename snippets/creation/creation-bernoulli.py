probs = torch.rand(3, 3)
draws = torch.bernoulli(probs)
print(probs)
print(draws)

always = torch.bernoulli(torch.ones(4))
never = torch.bernoulli(torch.zeros(4))
print(always, never)
