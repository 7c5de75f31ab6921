"""The lessons API on the real server: the fields the page reads, old ids, recaps, glossary."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.lessons import library
from tests.conftest import LiveServer

LESSON_FIELDS = {
    "id", "title", "title_zh", "topic", "order", "notice", "notice_zh", "expect", "error_line",
    "source", "source_title", "source_title_en", "passage", "also", "question", "needs",
    "teaches", "prerequisites", "formerly", "recap",
}  # fmt: skip


def get(server: LiveServer, path: str) -> httpx.Response:
    return httpx.get(f"{server.url}/api/v1{path}", timeout=30)


def test_the_listing_has_topics_with_recaps_lessons_and_seeds(server: LiveServer) -> None:
    listing = get(server, "/lessons").json()
    assert [topic["id"] for topic in listing["topics"]][:4] == [
        "creation", "indexing", "shape", "joining",
    ]  # fmt: skip
    assert all(topic["recap"] == f"/api/v1/recaps/{topic['id']}" for topic in listing["topics"])
    assert [lesson["id"] for lesson in listing["lessons"]] == [lesson.id for lesson in library()]
    first = listing["lessons"][0]
    assert set(first) == LESSON_FIELDS and "code" not in first
    assert {seed["file"][:3] for seed in listing["seeds"]} == {"000", "001", "002", "003", "004"}
    assert all(seed["title"] and seed["title_en"] for seed in listing["seeds"])


def test_one_lesson_has_its_code_in_both_languages_and_its_neighbours(server: LiveServer) -> None:
    one: dict[str, Any] = get(server, "/lessons/shape-view-non-contiguous").json()
    assert set(one) == LESSON_FIELDS | {"code", "code_zh", "previous", "next"}
    assert one["expect"] == "RuntimeError" and ".view(" in one["code"]
    assert one["code"].splitlines()[one["error_line"] - 1] == "print(t1_.view(-1))"
    assert "连续" in one["code_zh"] and "# id:" not in one["code"]
    assert (one["previous"], one["next"]) == ("shape-view", "shape-view-fix-contiguous")
    assert one["question"] == {
        "kind": "line", "prompt": "Which line raises an error?", "prompt_zh": "哪一行会报错？",
        "choices": [], "choices_zh": [], "tensor": None, "answer": 5,
    }  # fmt: skip
    assert one["source_title"] == "具有不规则结果的常规 PyTorch 张量函数"
    assert one["passage"].startswith("此方法不适用于非连续张量。")
    assert one["recap"] == "/api/v1/recaps/shape"


def test_a_lesson_without_a_seed_says_so(server: LiveServer) -> None:
    one = get(server, "/lessons/modules-subclass").json()
    assert (one["source"], one["passage"]) == (None, None)
    assert one["source_title_en"] == "Not from the articles"
    assert one["source_title"] == "不是来自原文"
    assert "nn.Linear" in one["needs"] and "modules-linear-layer" in one["prerequisites"]


def test_an_old_id_finds_the_lesson_it_became(server: LiveServer) -> None:
    merged = get(server, "/lessons/autograd-no-grad-decorator").json()
    assert merged["id"] == "autograd-no-grad"
    assert "autograd-no-grad-decorator" in merged["formerly"]
    assert get(server, "/lessons/indexing-cat").json()["id"] == "joining-cat"


@pytest.mark.parametrize("path", ["/lessons/no-such-lesson", "/recaps/no-such-topic"])
def test_unknown_names_are_404_in_the_one_error_shape(server: LiveServer, path: str) -> None:
    response = get(server, path)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found" and "no-such" in response.json()["detail"]


def test_a_recap_and_the_glossary_are_served(server: LiveServer) -> None:
    sheet = get(server, "/recaps/joining").json()
    assert sheet["topic"] == "joining" and sheet["title_zh"]
    assert any("torch.stack" in row["code"] for s in sheet["sections"] for row in s["rows"])
    terms = get(server, "/glossary").json()["terms"]
    stride = next(term for term in terms if term["en"] == "stride")
    assert stride["zh"] == "步幅（stride）" and "步长" in stride["not_zh"]
