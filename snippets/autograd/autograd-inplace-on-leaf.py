# id: autograd-inplace-on-leaf
# title: In-place ops on a leaf that requires grad fail
# title_zh: 对要求梯度的叶子节点做原地运算会报错
# topic: autograd
# source: 003_088a8e173f7a2eb1.txt
# notice: Autograd cannot record an in-place change to a leaf it is computing gradients for. Updates
#   to parameters must happen outside the graph: inside `with torch.no_grad():`, or through `x.data`
#   as the gradient-descent lesson does.
# notice_zh: autograd 无法记录对需要求梯度的叶子节点的原地修改。参数更新必须在计算图之外进行：放
#   在 `with torch.no_grad():` 中，或者像梯度下降那一课一样通过 `x.data`。
# expect: RuntimeError
# error_line: 2
# order: 295

x = torch.ones(5, requires_grad=True)
x.add_(1)  # a leaf that requires grad
