"""The share store: snippets saved under unguessable ids, within the run's size limit."""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.errors import NotFound, SnippetTooLarge
from app.store import ShareStore

LIMIT = 1024


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ShareStore]:
    share_store = ShareStore(tmp_path / "data" / "playground.sqlite3", max_code_bytes=LIMIT)
    share_store.open()
    yield share_store
    share_store.close()


def test_a_share_reads_back_exactly_as_written(store: ShareStore) -> None:
    code = "x = torch.ones(2)  # 中文注释\n\ty = x * 2\n"
    created = store.create(code, seed=7)
    fetched = store.get(created.id)
    assert fetched == created
    assert (fetched.code, fetched.seed) == (code, 7)
    assert fetched.created_at.endswith("Z")


def test_a_null_seed_stays_null(store: ShareStore) -> None:
    assert store.get(store.create("a = 1", seed=None).id).seed is None


def test_the_file_is_created_on_first_open_and_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "playground.sqlite3"
    first = ShareStore(path, LIMIT)
    first.open()
    share_id = first.create("kept = True").id
    first.close()
    assert path.is_file()
    second = ShareStore(path, LIMIT)
    second.open()
    assert second.get(share_id).code == "kept = True"
    second.close()


def test_ids_are_short_random_url_safe_and_unique(store: ShareStore) -> None:
    ids = [store.create(f"n = {i}").id for i in range(300)]
    assert len(set(ids)) == len(ids)
    for share_id in ids:
        assert 10 <= len(share_id) <= 16
        assert set(share_id) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )
    # no counter in disguise: consecutive ids differ in almost every position
    for a, b in itertools.pairwise(ids):
        assert sum(x != y for x, y in zip(a, b, strict=True)) >= len(a) // 2
    # every position ranges over the alphabet, as 64 random bits must
    for position in range(10):
        assert len({share_id[position] for share_id in ids}) > 32


@pytest.mark.parametrize(
    ("code", "fits"),
    [
        ("x" * LIMIT, True),
        ("x" * (LIMIT + 1), False),
        ("张" * (LIMIT // 3), True),  # the limit counts UTF-8 bytes, not characters
        ("张" * (LIMIT // 3 + 1), False),
    ],
)
def test_the_size_limit_is_the_runs_limit_in_utf8_bytes(
    store: ShareStore, code: str, fits: bool
) -> None:
    if fits:
        assert store.get(store.create(code).id).code == code
    else:
        with pytest.raises(SnippetTooLarge) as raised:
            store.create(code)
        assert raised.value.status_code == 413


@pytest.mark.parametrize(
    "share_id", ["AAAAAAAAAAA", "", "x", "../../etc/passwd", "a' OR '1'='1", "A" * 500]
)
def test_a_missing_or_malformed_id_is_not_found(store: ShareStore, share_id: str) -> None:
    store.create("present = 1")
    with pytest.raises(NotFound) as raised:
        store.get(share_id)
    assert raised.value.status_code == 404


def test_the_table_is_plain_sqlite(store: ShareStore) -> None:
    share = store.create("s = 'shared'", seed=3)
    with contextlib.closing(sqlite3.connect(store.path)) as db:
        rows = db.execute("SELECT id, code, seed FROM shares").fetchall()
    assert rows == [(share.id, "s = 'shared'", 3)]


def test_a_closed_store_refuses_to_work(tmp_path: Path) -> None:
    closed = ShareStore(tmp_path / "s.sqlite3", LIMIT)
    with pytest.raises(RuntimeError, match="not open"):
        closed.create("a = 1")
