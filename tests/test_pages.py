"""The playground's HTML: which template renders, with what context, for which request.

The app runs for real: `TestClient` starts the lifespan, so every run goes through the
fork-server exactly as it does in production.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.config import Settings
from app.lessons import SNIPPETS_DIR, load_lessons
from app.main import create_app
from app.web import pages, views

with warnings.catch_warnings():
    # starlette asks for `httpx2`; the venv has httpx, which TestClient still fully supports
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

HX = {"HX-Request": "true"}
HTML = {"Accept": "text/html,application/xhtml+xml"}
VIEW_ERROR = "x = torch.ones(2, 3)\ny = x.t().view(-1)\n"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data_dir = tmp_path_factory.mktemp("pages")
    settings = Settings(data_dir=data_dir, max_runs=2, default_timeout_s=1.0, rate_per_minute=0)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def run_page(client: TestClient, code: str, **form: Any) -> Any:
    response = client.post("/run", data={"code": code, **form}, headers=HX)
    assert response.status_code == 200, response.text
    return response


def api_report(client: TestClient, code: str, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/v1/run", json={"code": code, **fields})
    assert response.status_code == 200
    return response.json()


# ---- the page ------------------------------------------------------------------------------


def test_the_page_has_the_editor_the_lessons_and_the_buttons(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.template.name == "index.html"
    html = response.text
    assert '<meta charset="utf-8">' in html
    assert 'id="editor"' in html and '<textarea id="code" name="code"' in html
    assert 'id="run-button"' in html and 'id="share-button"' in html
    assert 'id="projector"' in html and 'href="/?lang=zh"' in html
    assert response.context["report"] is None and 'id="results"' in html
    lessons = load_lessons(SNIPPETS_DIR)
    topics = response.context["topics"]
    assert sum(len(entry[3]) for entry in topics) == len(lessons)
    for lesson in lessons:
        assert f'href="/lessons/{lesson.id}"' in html


def test_the_page_loads_nothing_from_other_hosts(client: TestClient) -> None:
    html = client.get("/").text
    for url in re.findall(r'(?:src|href)="([^"]*)"', html):
        assert url.startswith(("/", "#", "data:")), url
    script = client.get("/static/vendor/viz-standalone.js")
    assert script.status_code == 200
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"


def test_a_lesson_opens_in_the_editor(client: TestClient) -> None:
    lesson = next(item for item in load_lessons(SNIPPETS_DIR) if item.expects_error)
    response = client.get(f"/lessons/{lesson.id}")
    assert response.context["lesson"] == lesson
    assert response.context["code"] == lesson.code
    assert 'aria-current="page"' in response.text
    assert client.get("/lessons/no-such-lesson", headers=HTML).status_code == 404


# ---- runs ----------------------------------------------------------------------------------


def test_an_htmx_run_returns_the_results_partial_only(client: TestClient) -> None:
    response = run_page(client, "x = torch.zeros(2, 3)")
    assert response.template.name == "partials/results.html"
    assert "<html" not in response.text and "<body" not in response.text
    assert response.text.lstrip().startswith('<section id="results"')
    report = response.context["report"]
    assert [t.name for t in report.tensors] == ["x"]


def test_a_plain_form_run_returns_the_whole_page_around_the_results(client: TestClient) -> None:
    response = client.post("/run", data={"code": "x = torch.zeros(2, 3)"})
    assert response.template.name == "index.html"
    assert "<html" in response.text and 'id="tensor-x"' in response.text
    assert response.context["code"] == "x = torch.zeros(2, 3)"


def test_a_tensor_card_shows_shape_stride_and_badges(client: TestClient) -> None:
    response = run_page(client, "x = torch.zeros(2, 3)\ny = x.t()")
    card = re.search(
        r'<article class="tensor-card" id="tensor-y".*?</article>', response.text, re.S
    )
    assert card is not None
    assert '<dd class="shape">[3, 2]</dd>' in card[0]
    assert '<dd class="stride">[1, 3]</dd>' in card[0]
    assert "not contiguous" in card[0]
    groups = response.context["groups"]
    assert [[card.tensor.name for card in group] for group in groups] == [["x", "y"]]
    assert 'class="storage-group"' in response.text


@pytest.mark.parametrize(
    "view",
    [
        "base.view(3, 4)",
        "base.view(3, 4).t()",
        "base.view(3, 4)[:, ::2]",
        "base.view(3, 4)[1:, 1:3]",
        "base.view(2, 2, 3).permute(2, 0, 1)",
        "base[:3].expand(2, 3)",
        "base.view(3, 4)[1]",
        "base[5]",
    ],
)
def test_the_memory_picture_reads_the_cells_torch_reads(client: TestClient, view: str) -> None:
    """`base[i] == i`, so each element of a view of `base` *is* the storage cell it reads."""
    response = run_page(client, f"base = torch.arange(12)\nv = {view}")
    cards = {card.tensor.name: card for group in response.context["groups"] for card in group}
    v = cards["v"]
    assert v.layout is not None
    assert [e.index for e in v.layout.elements] == _flatten(v.tensor.values)
    assert len(v.layout.storage) == 12  # the picture spans the storage the group shares
    for cell in v.layout.storage:
        assert cell.value == cell.index
        assert cell.reads == _flatten(v.tensor.values).count(cell.index)


def test_nd_values_come_as_slices(client: TestClient) -> None:
    response = run_page(client, "q = torch.arange(24.).reshape(2, 3, 4)")
    assert [label for label, _ in views.value_slices([[[0] * 4] * 3] * 2, [2, 3, 4])] == [
        "0, :, :",
        "1, :, :",
    ]
    assert "data-slice-select" in response.text
    assert response.text.count('data-slice="') == 2


def test_nan_is_shown_loudly(client: TestClient) -> None:
    response = run_page(client, "n = torch.tensor([1.0, float('nan'), float('inf')])")
    assert 'class="loud"' in response.text
    assert '<td class="nonfinite">NaN</td>' in response.text
    assert '<td class="nonfinite">Infinity</td>' in response.text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_error_shows_the_line_and_the_explanation_in_the_language(
    client: TestClient, lang: str
) -> None:
    response = run_page(client, VIEW_ERROR, lang=lang)
    explanation = api_report(client, VIEW_ERROR, lang=lang)["error"]["explanation"]
    assert explanation is not None
    html = response.text
    assert str(views.code_spans(explanation["why"])) in html
    assert explanation["title"] in html
    assert response.context["meta"]["error_line"] == 2
    assert '<span class="lineno">2</span> y = x.t().view(-1)' in html
    assert ("原因" in html) == (lang == "zh")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_warnings_are_shown_in_the_language(client: TestClient, lang: str) -> None:
    code = (
        "w = torch.ones(2, requires_grad=True)\n(w * 2).sum().backward()\n(w * 2).sum().backward()"
    )
    warning = api_report(client, code)["warnings"][0]
    assert warning["kind"] == "grad_accumulated" and warning["message_zh"]
    html = run_page(client, code, lang=lang).text
    shown = warning["message_zh"] if lang == "zh" and warning["message_zh"] else warning["message"]
    assert str(views.code_spans(shown)) in html


def test_limit_errors_are_explained_plainly(client: TestClient) -> None:
    response = run_page(client, "while True:\n    pass", lang="en")
    assert response.context["report"].error.type == "TimeLimitExceeded"
    assert pages.STRINGS["en"]["limit_TimeLimitExceeded_title"] in response.text


def test_a_snippet_over_the_limit_is_413(client: TestClient) -> None:
    big = "#" * (client.app.state.settings.max_code_bytes + 1)
    assert client.post("/run", data={"code": big}, headers=HX).status_code == 413
    page = client.post("/run", data={"code": big}, headers=HTML)
    assert page.status_code == 413 and page.template.name == "error.html"


# ---- language and preferences --------------------------------------------------------------


def test_the_language_follows_the_query_then_the_cookie(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, max_runs=1)
    with TestClient(create_app(settings)) as fresh:
        chinese = fresh.get("/?lang=zh")
        assert chinese.context["lang"] == "zh" and 'lang="zh-Hans"' in chinese.text
        assert pages.STRINGS["zh"]["run"] in chinese.text
        assert fresh.get("/").context["lang"] == "zh"  # remembered by the cookie
        assert fresh.get("/?lang=en").context["lang"] == "en"
        fresh.cookies.clear()
        browser = fresh.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        assert browser.context["lang"] == "zh"


def test_the_projector_toggle_is_remembered(client: TestClient) -> None:
    assert client.post("/prefs", data={"projector": "1"}).status_code == 204
    page = client.get("/")
    assert page.context["projector"] is True and 'class="projector"' in page.text
    client.post("/prefs", data={})
    assert client.get("/").context["projector"] is False


def test_both_languages_have_every_string_the_templates_use() -> None:
    assert set(pages.STRINGS["en"]) == set(pages.STRINGS["zh"])
    used: set[str] = set()
    for template in pages.TEMPLATES_DIR.rglob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_0-9]+)["']\s*[,)]""", template.read_text()))
    used |= {
        f"limit_{kind}_{part}" for kind in pages.LIMIT_ERRORS for part in ("title", "why", "fix")
    }
    assert used and used <= set(pages.STRINGS["en"])


def _flatten(values: Any) -> list[Any]:
    if not isinstance(values, list):
        return [values]
    return [item for sub in values for item in _flatten(sub)]
