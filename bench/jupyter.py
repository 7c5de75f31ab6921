"""The baseline a teacher would use instead: a warm Jupyter kernel, torch imported.

No isolation and no report, but warm. `JupyterKernel.run(code)` sends one execute request
over jupyter_client and returns when the kernel reports idle again: the time a notebook
cell takes from Shift+Enter to done.
"""

from __future__ import annotations

import os
import time
from types import TracebackType

from jupyter_client.manager import KernelManager

PRELUDE = (
    "import torch, numpy as np\nimport torch.nn as nn\nimport torch.nn.functional as F\n"
    "torch.set_num_threads(1)\n"
)


class JupyterKernel:
    def __enter__(self) -> JupyterKernel:
        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(env={**os.environ, "OMP_NUM_THREADS": "1"})
        self.client = self.manager.blocking_client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=120)
        self.run(PRELUDE)
        return self

    def run(self, code: str) -> float:
        """Execute `code`; milliseconds until the kernel is idle again."""
        started = time.perf_counter()
        msg_id = self.client.execute(code, store_history=False)
        while True:
            message = self.client.get_iopub_msg(timeout=60)
            if (
                message["parent_header"].get("msg_id") == msg_id
                and message["msg_type"] == "status"
                and message["content"]["execution_state"] == "idle"
            ):
                break
        reply = self.client.get_shell_msg(timeout=60)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the kernel failed: {reply['content']}")
        return (time.perf_counter() - started) * 1000

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)
