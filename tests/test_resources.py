"""Templates, static files and lessons are package data, found beside the code."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from app import resources
from tests.conftest import PROJECT_ROOT


def test_the_data_folders_are_found_through_the_package() -> None:
    package = Path(str(files("app")))
    for folder, expected in (
        (resources.TEMPLATES_DIR, "index.html"),
        (resources.STATIC_DIR, "app.js"),
        (resources.SNIPPETS_DIR, "shape"),
    ):
        assert folder.parent == package
        assert (folder / expected).exists()


def test_no_module_finds_its_data_by_walking_up_from_its_file() -> None:
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in (PROJECT_ROOT / "app").glob("**/*.py")
        if "parents[2]" in path.read_text() and "sandbox" not in path.parts
    ]
    assert not offenders


def test_runs_never_see_the_checkout() -> None:
    assert resources.secret_dirs() == [PROJECT_ROOT.resolve()]
