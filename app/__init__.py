"""Tensor Playground: run PyTorch snippets in a sandbox and show what happened to every tensor."""

__version__ = "0.1.0"
