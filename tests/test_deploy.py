"""The deployment files in deploy/ are what the README shows, and they fit the server:
nginx accepts the site, its limits cover the app's, the unit delegates cgroups and starts
`serve` on its instance's port, the environment file names real settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.config import Settings
from tests.conftest import PROJECT_ROOT
from tests.deploy import ENV_FILE, NGINX, NGINX_SITE, UNIT, Nginx, read_env_file, unit_service

README = (PROJECT_ROOT / "README.md").read_text()


@pytest.mark.parametrize("path", [NGINX_SITE, UNIT, ENV_FILE], ids=lambda p: p.name)
def test_the_readme_shows_each_deploy_file_verbatim(path: Path) -> None:
    assert path.read_text().strip() in README, f"README's copy of deploy/{path.name} drifted"


@pytest.mark.skipif(not NGINX.exists(), reason="nginx is not installed (.ci/run apt-gets it)")
def test_nginx_accepts_the_site() -> None:
    checked = Nginx(upstreams=[18001, 18002]).test_config()
    assert checked.returncode == 0, checked.stderr


def directive(name: str) -> str:
    found = re.findall(rf"^\s*{name}\s+([^;]+);", NGINX_SITE.read_text(), re.MULTILINE)
    assert len(found) == 1, f"{name} is set {len(found)} times"
    return found[0]


def test_the_proxy_passes_the_client_and_never_a_header_the_client_wrote() -> None:
    headers = re.findall(r"proxy_set_header\s+(\S+)\s+([^;]+);", NGINX_SITE.read_text())
    assert ("Host", "$host") in headers
    assert ("X-Forwarded-For", "$remote_addr") in headers  # replaced, not appended
    assert "hash $remote_addr consistent" in NGINX_SITE.read_text()  # the whole address


def seconds(value: str) -> float:
    return float(value.removesuffix("s"))


def test_the_proxys_limits_cover_the_apps() -> None:
    settings = Settings()
    body = directive("client_max_body_size")
    assert int(body.removesuffix("k")) * 1024 >= 6 * settings.max_code_bytes  # "\u00XX" per byte
    slowest = settings.max_timeout_s + settings.queue_wait_s
    assert seconds(directive("proxy_read_timeout")) > slowest


def test_the_unit_serves_its_instance_port_with_delegated_cgroups() -> None:
    text = UNIT.read_text()
    assert "Delegate=yes" in text.splitlines()
    argv, env = unit_service("8001")
    assert argv[1:] == ["serve", "--host", "127.0.0.1", "--port", "8001"]
    assert env["PLAYGROUND_DATA_DIR"].endswith("/8001")  # each replica its own cache dir


def test_the_environment_file_names_real_settings_with_valid_values() -> None:
    values = read_env_file(ENV_FILE)
    fields = {f"PLAYGROUND_{name.upper()}" for name in Settings.model_fields}
    assert set(values) <= fields
    settings = Settings(**{key.removeprefix("PLAYGROUND_").lower(): v for key, v in values.items()})
    assert settings.trust_forwarded_for  # behind nginx, or every student is nginx
    assert settings.database_url is not None
    assert settings.database_url.get_secret_value().startswith("postgresql+psycopg://")
