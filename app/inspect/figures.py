"""Matplotlib figures of a run, as base64 PNGs (API.md `figures`).

`plt.show()` under the Agg backend draws nothing and warns; `FigureCollector` replaces it
with "keep what is on screen now", so a lesson that calls `show()` mid-way still returns
its plot, and the final sweep picks up figures the snippet never showed.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


class FigureCollector:
    """Collects at most `max_figures` PNGs of at most `max_bytes` each."""

    def __init__(self, max_figures: int, max_bytes: int, dpi: int = 80) -> None:
        self.max_figures = max_figures
        self.max_bytes = max_bytes
        self.dpi = dpi
        self.figures: list[dict[str, Any]] = []
        self.dropped = 0
        self._original_show = plt.show

    def __enter__(self) -> FigureCollector:
        plt.close("all")
        plt.show = self._show
        return self

    def __exit__(self, *exc: object) -> None:
        plt.show = self._original_show
        self.collect()

    def _show(self, *args: object, **kwargs: object) -> None:
        self.collect()

    def collect(self) -> None:
        """Render and close every open figure, keeping those within the caps."""
        for number in plt.get_fignums():
            figure = plt.figure(number)
            if len(self.figures) < self.max_figures:
                buffer = io.BytesIO()
                figure.savefig(buffer, format="png", dpi=self.dpi, bbox_inches="tight")
                data = buffer.getvalue()
                if len(data) <= self.max_bytes:
                    self.figures.append(
                        {"format": "png", "data": base64.b64encode(data).decode("ascii")}
                    )
                else:
                    self.dropped += 1
            else:
                self.dropped += 1
            plt.close(figure)
