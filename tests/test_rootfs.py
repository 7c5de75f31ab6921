"""The private root of a slot: what the plan binds, and what a process inside can see."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.sandbox import rootfs
from tests.conftest import PROJECT_ROOT


@pytest.fixture
def tmp_path() -> Iterator[Path]:
    """A temp dir every user may enter (pytest's own sits under a 0700 directory)."""
    path = Path(tempfile.mkdtemp())
    path.chmod(0o755)
    yield path
    shutil.rmtree(path)


def test_the_plan_binds_the_runtime_and_not_the_project_around_it(tmp_path: Path) -> None:
    project = tmp_path / "project"
    venv = project / ".venv"
    (venv / "lib").mkdir(parents=True)
    plan = rootfs.plan([str(venv), str(venv / "lib"), str(project), "/no/such"], [str(project)])
    assert str(venv) in plan.binds
    assert str(venv / "lib") not in plan.binds  # inside a bound dir already
    assert str(project) not in plan.binds
    assert plan.covers == ()


def test_a_secret_inside_a_bound_directory_is_covered(tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    data = prefix / "var" / "data"
    data.mkdir(parents=True)
    plan = rootfs.plan([str(prefix)], [str(data)])
    assert str(prefix) in plan.binds
    assert plan.covers == (str(data),)


def test_system_library_links_stay_links() -> None:
    plan = rootfs.plan([], [])
    for path, target in plan.links:
        assert os.readlink(path) == target
    for path in rootfs.SYSTEM_DIRS:
        if os.path.isdir(path) and not os.path.islink(path):
            assert os.path.realpath(path) in plan.binds


def test_etc_names_only_the_slots_user() -> None:
    files = rootfs.etc_files(200_007)
    assert files["passwd"].count("\n") == 1 and ":200007:200007:" in files["passwd"]
    assert "root" not in files["passwd"] + files["group"]


PROBE = """
import json, os, sys
sys.path.insert(0, {project!r})
from app.sandbox import isolation, rootfs
isolation.unshare(isolation.CLONE_NEWNS | isolation.CLONE_NEWPID)
if os.fork():
    _, status = os.wait()
    sys.exit(os.waitstatus_to_exitcode(status))
plan = rootfs.plan(rootfs.runtime_paths({project!r}), [{project!r}])
rootfs.build(plan, {mount_point!r}, 200_007)
def tried(call):
    try:
        call()
        return "ok"
    except OSError as exc:
        return exc.errno
out = {{
    "root": sorted(os.listdir("/")),
    "dev": sorted(os.listdir("/dev")),
    "etc": sorted(os.listdir("/etc")),
    "write_root": tried(lambda: open("/new", "w")),
    "write_runtime": tried(lambda: open(os.path.join(sys.prefix, "new"), "w")),
    "project": os.path.exists({project!r} + "/app"),
    "cwd": os.getcwd(),
    "proc": sorted(p for p in os.listdir("/proc") if p.isdigit()),
}}
print(json.dumps(out))
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="a private root needs root (or a user namespace)")
def test_inside_the_root_there_is_only_what_a_run_needs(tmp_path: Path) -> None:
    code = PROBE.format(project=str(PROJECT_ROOT), mount_point=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    tops = {p.split("/")[1] for p in rootfs.plan(rootfs.runtime_paths(str(PROJECT_ROOT)), []).binds}
    assert set(seen["root"]) <= {"dev", "etc", "proc", "tmp", *tops, "lib", "lib64"}
    assert not {"home", "run", "srv", "var", "boot", "opt", "mnt"} & set(seen["root"])
    assert set(seen["dev"]) == {*rootfs.DEVICES, *rootfs.DEV_LINKS, "shm"}
    assert "ptmx" not in seen["dev"] and "pts" not in seen["dev"]
    copies = {os.path.basename(p) for p in rootfs.ETC_COPIES if os.path.isfile(p)}
    assert set(seen["etc"]) == {*rootfs.etc_files(0), *copies}
    assert seen["write_root"] == 30 and seen["write_runtime"] == 30  # EROFS
    assert seen["project"] is False
    assert seen["cwd"] == "/"
    assert seen["proc"] == ["1"]  # its own pid namespace, of which it is pid 1
    assert os.listdir(tmp_path) == []  # the host side is untouched


def test_a_runtime_under_tmp_keeps_its_binds_and_the_scratch_moves_beside_it() -> None:
    venv = Path(tempfile.mkdtemp(dir="/tmp"))  # a checkout in /tmp, say
    try:
        plan = rootfs.plan([str(venv)], [])
        assert str(venv) in plan.binds and plan.home == rootfs.HOME_BESIDE_TMP
        assert rootfs.plan([], []).home == "/tmp"
    finally:
        venv.rmdir()
