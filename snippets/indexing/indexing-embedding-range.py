embedding = nn.Embedding(10, 3)
words = torch.tensor([3, 9, 0])
vectors = embedding(words)
print(vectors.shape, torch.equal(vectors[0], embedding.weight[3]))

too_far = torch.tensor([3, 10])
vectors = embedding(too_far)
