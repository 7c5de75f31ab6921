"""Write ../torch-completions.json: the editor's completions and signatures, from torch itself.

Run with the project's venv (torch 2.13, as pinned): `.venv/bin/python
static/vendor/build/torch_completions.py`. For `torch`, `nn`, `F`, `optim` and tensor
methods it lists each public name with its kind, its signature (from `inspect` where torch
has one, else the first line of the docstring, which for torch's C functions is the
signature) and the first sentence of its docstring. The output is sorted and deterministic.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F  # noqa: N812 - the name students use
from torch import nn, optim

OUT = Path(__file__).resolve().parents[1] / "torch-completions.json"
MAX_SIGNATURE = 160
MAX_INFO = 140
NAMESPACES: dict[str, Any] = {
    "torch": torch, "nn": nn, "F": F, "optim": optim, "Tensor": torch.Tensor,
}  # fmt: skip
_SIGNATURE_LINE = re.compile(r"^\s*([A-Za-z_][\w.]*)\((.*)\)(\s*->\s*\S.*)?$")


def kind_of(value: Any) -> str:
    if inspect.isclass(value):
        return "class"
    if inspect.ismodule(value):
        return "namespace"
    if callable(value):
        return "function"
    return "constant"


def signature_of(name: str, value: Any) -> str:
    doc = inspect.getdoc(value) or ""
    first = doc.splitlines()[0] if doc else ""
    if (match := _SIGNATURE_LINE.match(first)) is not None:
        text = f"{name}({match[2]}){match[3] or ''}"
    else:
        try:
            text = f"{name}{inspect.signature(value)}".removesuffix(" -> None")
        except (TypeError, ValueError):
            return ""
    return text if len(text) <= MAX_SIGNATURE else text[: MAX_SIGNATURE - 1] + "…"


def info_of(value: Any) -> str:
    lines = (inspect.getdoc(value) or "").splitlines()
    if lines and _SIGNATURE_LINE.match(lines[0]):
        lines = lines[1:]
    text = " ".join(line.strip() for line in lines[:6]).strip()
    text = re.split(r"(?<=\.)\s", text, maxsplit=1)[0] if text else ""
    text = re.sub(r":(math|attr|func|class|meth):|`", "", text)
    return text if len(text) <= MAX_INFO else text[: MAX_INFO - 1] + "…"


def entries(namespace: Any) -> list[list[str]]:
    found = []
    for name in sorted(set(dir(namespace))):
        if name.startswith("_"):
            continue
        try:
            value = getattr(namespace, name)
        except Exception:  # a lazy attribute that cannot load here
            continue
        kind = kind_of(value)
        if namespace is torch and kind == "namespace" and name not in ("nn", "optim", "utils",
                                                                      "linalg", "fft", "autograd"):
            continue  # fmt: skip
        signature = signature_of(name, value) if kind in ("function", "class") else ""
        info = info_of(value) if kind != "constant" else type(value).__name__
        found.append([name, kind, signature, info])
    return found


def main() -> None:
    table = {
        "torch_version": torch.__version__,
        "namespaces": {key: entries(namespace) for key, namespace in NAMESPACES.items()},
    }
    OUT.write_text(json.dumps(table, ensure_ascii=False, separators=(",", ":")) + "\n")
    counts = {key: len(value) for key, value in table["namespaces"].items()}
    print(f"{OUT.name}: {OUT.stat().st_size / 1024:.1f} KiB, {counts}", file=sys.stderr)


if __name__ == "__main__":
    main()
