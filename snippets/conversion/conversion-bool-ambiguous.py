scores = torch.tensor([0.2, 0.9])
if scores[1] > 0.5:
    print("one element: a plain True or False")
if scores > 0.5:
    print("this is never printed")
