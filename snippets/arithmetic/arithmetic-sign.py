# id: arithmetic-sign
# title: sign gives -1, 0 or 1
# title_zh: sign 返回 -1、0 或 1
# topic: arithmetic
# source: 002_e725bbdd62884fee.txt
# notice: `torch.sign` keeps only the sign of each element: 1 for positive, -1 for negative, 0 for
#   zero. `x.sign() * x.abs()` rebuilds `x`.
# notice_zh: `torch.sign` 只保留每个元素的符号：正数为 1，负数为 -1，零为 0。`x.sign() * x.abs()` 可
#   以还原 `x`。
# expect: ok
# order: 140

a = torch.tensor([0.7, -1.2, 0.0, 2.3])
signs = torch.sign(a)  # [1., -1., 0., 1.]
print(signs)
print(torch.equal(signs * a.abs(), a))
