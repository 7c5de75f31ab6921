"""Everything a run may touch, imported and exercised once in the fork-server, before any fork.

One thread *before* the first op: a warmed OpenMP pool hangs forked children. The first
optimizer step lazily imports torch._dynamo (~1.5 s); pay it here, once. Whatever a run
needs of the project itself must be imported here too: the private root hides the project.
"""

from __future__ import annotations

import sys


def warm_up() -> dict[str, str]:
    """Import and exercise everything a run may touch, single-threaded, before any fork.

    One thread *before* the first op: a warmed OpenMP pool hangs forked children. The
    first optimizer step lazily imports torch._dynamo (~1.5 s); pay it here, once.
    """
    import matplotlib

    matplotlib.use("Agg")
    import torch

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    import matplotlib.pyplot as plt
    import numpy  # noqa: F401
    import torch._dynamo
    import torch.fx.experimental.symbolic_shapes  # the first backward(gradient) needs sympy
    import torch.utils.data

    from app.sandbox import runner

    model = torch.nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = torch.nn.functional.mse_loss(model(torch.randn(4, 3)), torch.randn(4, 1))
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    report = runner.run_snippet_here(
        "x = torch.ones(2, 2, requires_grad=True)\ny = (x * 2).sum()\ny.backward()\n"
        "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nz = x.t().view(-1)\n",
        timeout_s=None,
    )
    assert report["error"] is not None, "warm-up snippet should raise at its last line"
    plt.close("all")
    return {"torch": torch.__version__, "python": sys.version.split()[0]}
