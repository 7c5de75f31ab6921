# id: autograd-no-grad-decorator
# title: @torch.no_grad() on a function
# title_zh: 用 @torch.no_grad() 装饰函数
# topic: autograd
# source: 001_50eb38e264ab5ee5.txt
# notice: As a decorator, `torch.no_grad()` turns off tracking for every call of the function:
#   whatever it returns has no graph, so `f.requires_grad` is False.
# notice_zh: 作为装饰器时，`torch.no_grad()` 在函数的每次调用中都关闭梯度跟踪：函数返回的结果没有计
#   算图，所以 `f.requires_grad` 是 False。
# expect: ok
# order: 150

x = torch.tensor(10, requires_grad=True, dtype=torch.float64)


@torch.no_grad()
def my_func(x):
    return x**2


f = my_func(x)
print(f.requires_grad)  # False
