powers_of_ten = torch.logspace(0, 3, 4)
print(powers_of_ten)

powers_of_two = torch.logspace(0, 4, 5, base=2)
print(powers_of_two)
