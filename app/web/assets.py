"""Static files under hashed names, gzip-compressed once, cached for a year.

`url("app.js")` is `/static/app.<hash>.js`, the hash of the file's bytes: a page names the
exact version it was rendered with, so the file can be cached `immutable` and a new deploy
is fetched at once. Text files are sent gzip-compressed to clients that accept it; a
`<file>.gz` made at build time (the vendor build writes them) is used as is, otherwise the
file is compressed on first request and kept in memory (our own small files change too
often to keep compressed copies in git).

Only files found under the directory are served (a table built on first use, the vendor
build's `node_modules` left out), so no request path is ever joined onto the disk.
Starlette's `StaticFiles` has no pre-compressed variants or hashed names, hence this module.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

ONE_YEAR_S = 365 * 24 * 3600
HASH_CHARS = 10
SKIPPED_DIRS = frozenset({"build", "node_modules", "__pycache__"})
COMPRESSIBLE = frozenset({".js", ".css", ".json", ".svg", ".txt", ".html", ".map"})
CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".png": "image/png",
    ".md": "text/markdown; charset=utf-8",
}
_HASHED = re.compile(rf"(?P<stem>.+)\.(?P<hash>[0-9a-f]{{{HASH_CHARS}}})(?P<suffix>\.[a-z0-9]+)")


@dataclass(slots=True, frozen=True)
class Asset:
    path: Path
    digest: str
    raw: bytes
    gzipped: bytes | None

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES.get(self.path.suffix, "application/octet-stream")


class StaticAssets:
    """An ASGI app serving one directory's files, plain or under their hashed names."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory.resolve()
        self._assets: dict[str, Asset] = {}

    @functools.cached_property
    def files(self) -> dict[str, Path]:
        """Logical path (`vendor/htmx.min.js`) -> file, for every file that may be served."""
        found: dict[str, Path] = {}
        for top, dirs, names in os.walk(self.directory):
            dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")]
            for name in names:
                if name.startswith(".") or name.endswith(".gz"):
                    continue
                path = Path(top) / name
                found[path.relative_to(self.directory).as_posix()] = path
        return found

    def asset(self, logical: str) -> Asset | None:
        known = self._assets.get(logical)
        if known is not None:
            return known
        path = self.files.get(logical)
        if path is None:
            return None
        raw = path.read_bytes()
        asset = Asset(path, hashlib.sha256(raw).hexdigest()[:HASH_CHARS], raw, _gzipped(path, raw))
        self._assets[logical] = asset
        return asset

    def url(self, logical: str) -> str:
        """`/static/<stem>.<hash><suffix>`; a file that does not exist is a template bug."""
        asset = self.asset(logical)
        if asset is None:
            raise KeyError(f"no static file {logical!r}")
        stem, dot, suffix = logical.rpartition(".")
        return f"/static/{stem}.{asset.digest}.{suffix}" if dot else f"/static/{logical}"

    def lookup(self, path: str) -> tuple[Asset | None, bool]:
        """(asset, whether the path named its current hash) for a request path."""
        if (asset := self.asset(path)) is not None:
            return asset, False
        match = _HASHED.fullmatch(path)
        if match:
            asset = self.asset(match["stem"] + match["suffix"])
            if asset is not None and asset.digest == match["hash"]:
                return asset, True
        return None, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        path, root = scope["path"], scope.get("root_path", "")
        response = self.respond(request, path[len(root) :] if path.startswith(root) else path)
        await response(scope, receive, send)

    def respond(self, request: Request, path: str) -> Response:
        if request.method not in ("GET", "HEAD"):
            return Response(status_code=405, headers={"Allow": "GET, HEAD"})
        asset, hashed = self.lookup(path.lstrip("/"))
        if asset is None:
            return Response("not found", status_code=404, media_type="text/plain")
        headers = {
            "ETag": f'"{asset.digest}"',
            "Cache-Control": f"public, max-age={ONE_YEAR_S}, immutable" if hashed else "no-cache",
            "Vary": "Accept-Encoding",
        }
        if request.headers.get("if-none-match") == headers["ETag"]:
            return Response(status_code=304, headers=headers)
        body = asset.raw
        if asset.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
            body = asset.gzipped
            headers["Content-Encoding"] = "gzip"
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(body))
            body = b""
        return Response(body, headers=headers, media_type=asset.content_type)


def _gzipped(path: Path, raw: bytes) -> bytes | None:
    """The build's `.gz` of the file if it holds exactly these bytes, else a fresh one."""
    if path.suffix not in COMPRESSIBLE or len(raw) < 256:
        return None
    built = path.with_name(path.name + ".gz")
    if built.is_file():
        packed = built.read_bytes()
        try:
            if gzip.decompress(packed) == raw:
                return packed
        except (OSError, EOFError):
            pass
    return gzip.compress(raw, compresslevel=9, mtime=0)


@functools.cache
def for_directory(directory: Path) -> StaticAssets:
    """One table per directory and process: the app and the templates share it."""
    return StaticAssets(directory)
