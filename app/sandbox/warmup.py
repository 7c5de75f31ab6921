"""Everything a run may touch, imported and exercised once in the fork-server, before any fork.

One thread *before* the first op: a warmed OpenMP pool hangs forked children. The first
optimizer step lazily imports torch._dynamo (~1.5 s); pay it here, once. Whatever a run
needs of the project itself must be imported here too: the private root hides the project.
"""

from __future__ import annotations

import sys

WARM_SNIPPET = (
    "x = torch.ones(2, 2, requires_grad=True)\ny = (x * 2).sum()\ny.backward()\n"
    "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nz = x.t().view(-1)\n"
)
"""Touches what most runs touch: ops, autograd, a figure, an error and its explanation."""
PREFAULT_SNIPPET = "x = torch.randn(2, 3, requires_grad=True)\ny = (x.t() * 2).sum()\ny.backward()"
"""What an idle worker runs on itself before it says it is ready (see worker.py): the common
path only (no figure, no error), so it moves work off a run's path rather than adding it."""


def prefault() -> None:
    """In a freshly forked worker: run a snippet of our own and encode its report, so the
    pages a run's first steps write are already the worker's own. A forked process copies
    every page it first writes (refcounts, caches): done here, off any run's path, instead
    of during the student's run, where it cost more than the run itself."""
    from app.sandbox import runner, worker

    worker.encode_report(runner.run_snippet_here(PREFAULT_SNIPPET, timeout_s=None))


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
    report = runner.run_snippet_here(WARM_SNIPPET, timeout_s=None)
    assert report["error"] is not None, "warm-up snippet should raise at its last line"
    plt.close("all")
    return {"torch": torch.__version__, "python": sys.version.split()[0]}
