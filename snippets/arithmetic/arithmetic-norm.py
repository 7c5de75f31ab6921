# id: arithmetic-norm
# title: norm with p, dim and keepdim
# title_zh: norm 的 p、dim 与 keepdim 参数
# topic: arithmetic
# source: 002_e725bbdd62884fee.txt
# notice: `t.norm(1, 3)` is the 1-norm (sum of absolute values) along dimension 3, so each of the
#   64×3×3 groups of three ones gives 3 and the shape becomes (64, 3, 3). With `keepdim=True` the
#   reduced dimension stays as size 1: (64, 3, 3, 1). Without `dim`, the norm covers every element.
# notice_zh: `t.norm(1, 3)` 沿第 3 维求 1 范数（绝对值之和），64×3×3 组、每组三个 1，结果都是 3，形
#   状变为 (64, 3, 3)。`keepdim=True` 时被约减的维度保留为长度 1：(64, 3, 3, 1)。不指定 `dim` 时对所
#   有元素求范数。
# expect: ok
# order: 130

t = torch.ones(64, 3, 3, 3)
t_norm = t.norm(1, 3)  # p=1, dim=3
print(t_norm.shape, t_norm[0, 0, 0])

t_norm_keep = t.norm(p=1, dim=3, keepdim=True)
print(t_norm_keep.shape)

v = torch.tensor([3.0, 4.0])
print(v.norm(), v.norm(p=1))  # 2-norm 5 and 1-norm 7
