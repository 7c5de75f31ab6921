# id: arithmetic-basic-ops
# title: add, sub, mul, div and neg broadcast
# title_zh: 加减乘除与取负都会广播
# topic: arithmetic
# source: 001_50eb38e264ab5ee5.txt
# notice: `tensor` has shape (2, 1), so it is broadcast across the 3 columns of `data`: each row
#   gets its own number. `div` of two integer tensors is true division and gives `float32`; all the
#   others keep `int64`.
# notice_zh: `tensor` 的形状是 (2, 1)，会沿 `data` 的 3 列广播：每一行用自己的那个数。两个整数张量
#   做 `div` 是真除法，结果是 `float32`；其余运算保持 `int64`。
# expect: ok
# order: 10

torch.random.manual_seed(40)
data = torch.randint(0, 10, [2, 3])
tensor = torch.randint(0, 10, [2, 1])  # one number per row

data_add = data.add(tensor)
data_sub = data.sub(tensor)
data_mul = data.mul(data_sub)
data_div = data.div(tensor)  # float32
data_neg = data.neg()
print(data_add, data_sub, data_mul, data_div, data_neg, sep="\n")
