"""The filesystem walls of a slot: what gets covered, what is bound back, read-only."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.sandbox.isolation import plan_hidden_paths
from tests.conftest import PROJECT_ROOT


@pytest.fixture
def tmp_path() -> Iterator[Path]:
    """A temp dir every user may enter (pytest's own sits under a 0700 directory, which
    the plan would rightly cover too)."""
    path = Path(tempfile.mkdtemp())
    path.chmod(0o755)
    yield path
    shutil.rmtree(path)


def test_the_plan_covers_secrets_and_binds_back_only_the_runtime(tmp_path: Path) -> None:
    project = tmp_path / "project"
    venv = project / ".venv"
    (venv / "lib").mkdir(parents=True)
    (project / "data").mkdir()
    plan = plan_hidden_paths(
        runtime=[str(venv), str(venv / "lib"), "/no/such/path"],
        secret=[str(project), str(project / "data")],
    )
    assert plan == {str(project): [str(venv)]}


def test_a_directory_others_cannot_enter_is_covered_too(tmp_path: Path) -> None:
    home = tmp_path / "home"
    runtime = home / "pyenv" / "lib"
    runtime.mkdir(parents=True)
    home.chmod(0o700)
    try:
        assert plan_hidden_paths([str(runtime)], []) == {str(home): [str(runtime)]}
    finally:
        home.chmod(0o755)


@pytest.mark.skipif(os.geteuid() != 0, reason="mount namespaces need root here")
def test_covered_directories_show_only_what_was_bound_back_read_only(tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "module.py").write_text("x = 1\n")
    (tmp_path / "secret.db").write_text("students' code")
    probe = f"""
import os, sys
sys.path.insert(0, {str(PROJECT_ROOT)!r})
from app.sandbox import isolation
isolation.unshare(isolation.CLONE_NEWNS)
isolation.expose_below_hidden({{{str(tmp_path)!r}: [{str(kept)!r}]}})
print(sorted(os.listdir({str(tmp_path)!r})), open({str(kept / "module.py")!r}).read().strip())
try:
    open({str(kept / "new.py")!r}, "w")
except OSError as e:
    print(e.errno)
"""
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.stdout.split("\n")[:2] == ["['kept'] x = 1", "30"], result.stderr  # EROFS
    assert (tmp_path / "secret.db").exists()  # covered in there, untouched out here
