data1 = torch.tensor([[1, 2], [3, 4]])
data2 = torch.tensor([[5, 6], [7, 8]])

hadamard = data1.mul(data2)
star = data1 * data2
matrix = data1 @ data2
print(hadamard, star, matrix, sep="\n")
