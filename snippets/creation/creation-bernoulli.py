# id: creation-bernoulli
# title: bernoulli draws 0 or 1 with a given probability
# title_zh: bernoulli 以给定概率取 0 或 1
# topic: creation
# source: 003_088a8e173f7a2eb1.txt
# notice: Each element of the input is a probability in [0, 1]; `torch.bernoulli` returns 1 with
#   that probability and 0 otherwise, as floats of the same shape.
# notice_zh: 输入的每个元素是 [0, 1] 之间的概率；`torch.bernoulli` 以该概率返回 1，否则返回 0，结果
#   是同形状的浮点张量。
# expect: ok
# order: 110

probs = torch.rand(3, 3)
draws = torch.bernoulli(probs)
print(probs)
print(draws)

always = torch.bernoulli(torch.ones(4))  # probability 1: always 1
never = torch.bernoulli(torch.zeros(4))  # probability 0: always 0
print(always, never)
