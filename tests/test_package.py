"""`pip install .` into a fresh venv gives a server that needs no checkout: run from another
folder, it serves pages, static files, lessons, the docs and runs (slow: `-m install`)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import PROJECT_ROOT, die_with_the_tests, free_port

pytestmark = [pytest.mark.install, pytest.mark.timeout(1800)]


def test_an_installed_package_serves_everything_from_another_folder(tmp_path: Path) -> None:
    # Not under /tmp: every run gets a /tmp of its own, so it could not import from there.
    venv = PROJECT_ROOT / "artifacts" / "install-test-venv"
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
         str(PROJECT_ROOT)],
        check=True, timeout=1500,
    )  # fmt: skip
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import app; print(app.__file__)"],
        cwd=elsewhere, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert where.stdout.startswith(str(venv)), "imported the checkout, not the package"

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLAYGROUND_", "PYTHON"))}
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [str(venv / "bin" / "tensor-playground"), "serve", "--port", str(port)],
        cwd=elsewhere, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True, preexec_fn=die_with_the_tests,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail((tmp_path / "server.log").read_text()[-3000:])

        page = httpx.get(url + "/", headers={"accept": "text/html"})
        assert page.status_code == 200
        hashed = re.search(r'src="(/static/app\.[0-9a-f]+\.js)"', page.text)
        assert hashed, "the page names its script by content hash"
        for asset in (
            hashed[1],
            "/static/app.css",
            "/static/vendor/htmx.min.js",
            "/docs",
            "/static/vendor/swagger-ui/swagger-ui-bundle.js",
            "/openapi.json",
        ):
            assert httpx.get(url + asset).status_code == 200, asset
        lessons = httpx.get(url + "/api/v1/lessons").json()["lessons"]
        assert len(lessons) > 100
        failing = next(lesson for lesson in lessons if lesson["expect"] != "ok")
        assert httpx.get(f"{url}/lessons/{failing['id']}").status_code == 200
        code = httpx.get(f"{url}/api/v1/lessons/{failing['id']}").json()["code"]
        report = httpx.post(f"{url}/api/v1/run", json={"code": code}, timeout=60).json()
        assert report["error"]["type"] == failing["expect"]
        assert report["error"]["explanation"] is not None  # the catalog came with the package
        ok = httpx.post(f"{url}/api/v1/run", json={"code": "y = torch.ones(2).t()"}, timeout=60)
        assert ok.json()["ok"] is True
        assert not (elsewhere / "templates").exists()
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(venv, ignore_errors=True)
