"""Where the package's data lies: templates, static files, lessons, found as package data.

In a checkout `app/templates`, `app/static` and `app/snippets` are links to the top-level
folders; `pip install .` copies what they hold into the wheel (pyproject's package-data).
Either way `importlib.resources` finds them beside the code, wherever it was installed.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def package_dir(name: str) -> Path:
    """A data folder of the `app` package, as a real directory (Jinja and StaticFiles
    need one; the package is never imported from a zip)."""
    path = Path(str(files("app") / name))
    if not path.is_dir():
        raise RuntimeError(f"the package has no {name}/ folder at {path}: a broken install")
    return path


def secret_dirs() -> list[Path]:
    """What a run must never see of the server: the checkout (tests, git history, data)
    when running from one, else the installed package; never the site-packages around it,
    which runs import from."""
    package = Path(str(files("app"))).resolve()
    checkout = package.parent
    return [checkout if (checkout / "pyproject.toml").exists() else package]


TEMPLATES_DIR = package_dir("templates")
STATIC_DIR = package_dir("static")
SNIPPETS_DIR = package_dir("snippets")
