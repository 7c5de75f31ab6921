"""The playground's HTML: which template renders, with what context, for which request.

The app runs for real: `TestClient` starts the lifespan, so every run goes through the
fork-server exactly as it does in production.
"""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.lessons import SNIPPETS_DIR, find_lesson, library
from app.main import create_app
from app.web import pages
from app.web.values_view import code_spans
from tests.conftest import LiveServer

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
    lessons = list(library())
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


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_lesson_opens_with_its_code_in_the_language(client: TestClient, lang: str) -> None:
    lesson = next(item for item in library() if item.expects_error)
    response = client.get(f"/lessons/{lesson.id}?lang={lang}")
    assert response.context["lesson"] == lesson
    assert response.context["code"] == lesson.code_for(lang)
    assert response.context["lesson_error_line"] == lesson.error_line
    assert 'aria-current="page"' in response.text
    assert client.get("/lessons/no-such-lesson", headers=HTML).status_code == 404


def test_a_question_comes_first_and_the_notice_waits_for_the_run(client: TestClient) -> None:
    lesson = next(item for item in library() if item.question and item.question.kind == "choice")
    html = client.get(f"/lessons/{lesson.id}?lang=en").text
    panel = html[html.index('id="lesson-panel"') : html.index("lesson-steps")]
    assert lesson.question.prompt_for("en").split("`")[0] in panel
    assert panel.count("data-predict=") == len(lesson.question.choices)
    assert re.search(r'class="lesson-reveal" data-after-run hidden', panel)
    assert "&#34;kind&#34;: &#34;choice&#34;" in panel  # the page judges the prediction


def test_a_lessons_error_line_is_where_the_run_stops(client: TestClient) -> None:
    lesson = find_lesson("shape-view-non-contiguous")
    assert lesson is not None
    page = client.get(f"/lessons/{lesson.id}")
    report = run_page(client, page.context["code"]).context["report"]
    assert report.error.type == lesson.expect
    assert report.error.line == page.context["lesson_error_line"]


def test_lessons_link_to_their_neighbours_and_carry_search_text(client: TestClient) -> None:
    lessons = list(library())
    html = client.get(f"/lessons/{lessons[1].id}").text
    assert f'rel="prev" href="/lessons/{lessons[0].id}"' in html
    assert f'rel="next" href="/lessons/{lessons[2].id}"' in html
    assert 'id="lesson-search"' in html
    search = f'data-search="{lessons[1].title.lower()} {lessons[1].title_zh}'
    assert search in html.replace("&#39;", "'")
    first = client.get(f"/lessons/{lessons[0].id}").text
    assert 'rel="prev"' not in first


def test_opening_a_page_runs_nothing_the_page_starts_the_run(client: TestClient) -> None:
    for path in ("/", f"/lessons/{library()[0].id}"):
        response = client.get(path)
        assert response.context["report"] is None
        assert '"ran": false' in response.text  # app.js submits the form on load


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


def card_html(html: str, name: str) -> str:
    """A card's row and its facts (up to the end of its `<dl>`)."""
    card = re.search(rf'<details class="tensor-card" id="tensor-{name}".*?</dl>', html, re.S)
    assert card is not None, name
    return card[0]


def test_a_tensor_is_one_row_that_unfolds_into_its_card(client: TestClient) -> None:
    response = run_page(client, "x = torch.zeros(2, 3)\ny = x.t()")
    card = card_html(response.text, "y")
    row = card[: card.index("</summary>")]
    assert '<span class="shape">[3, 2]</span>' in row and "torch.float32" in row
    assert "not contiguous" in row
    assert '<dd class="stride">[1, 3]</dd>' in card
    assert 'data-line="2"' in card  # the line that bound it
    groups = response.context["results"].groups
    assert [[view.name for view in group] for group in groups] == [["x", "y"]]
    assert 'class="storage-group' in response.text


def test_cards_start_folded_when_there_are_many(client: TestClient) -> None:
    def expanded(code: str) -> list[bool]:
        groups = run_page(client, code).context["results"].groups
        return [view.expanded for group in groups for view in group]

    assert expanded("a = torch.ones(2)\nb = a + 1") == [True, True]
    eight = "\n".join(f"t{i} = torch.ones(2)" for i in range(8))
    assert expanded(eight) == [False] * 8
    assert 'id="tensor-filter"' in run_page(client, eight).text


def test_an_n_by_1_tensor_is_drawn_as_one_row(client: TestClient) -> None:
    results = run_page(client, "col = torch.arange(5.).reshape(5, 1)").context["results"]
    [[view]] = results.groups
    assert view.table.as_row and len(view.table.slices[0].rows) == 1
    assert [c.text for c in view.table.slices[0].rows[0]] == ["0", "1", "2", "3", "4"]
    assert view.spark is not None and view.spark.kind == "line"


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
    report = response.context["report"]
    values = next(t.values for t in report.tensors if t.name == "v")
    cards = {card.name: card for group in response.context["results"].groups for card in group}
    v = cards["v"]
    assert v.layout is not None
    assert [e.index for e in v.layout.elements] == _flatten(values)
    assert len(v.layout.storage) == 12  # the picture spans the storage the group shares
    for cell in v.layout.storage:
        assert cell.value == str(cell.index)
        assert cell.reads == _flatten(values).count(cell.index)
    # the value table's cells name the storage cell each reads, so hovering lights both
    slots = [c.slot for s in v.table.slices for row in s.rows for c in row]
    assert slots == _flatten(values)


def test_nd_values_come_as_slices(client: TestClient) -> None:
    response = run_page(client, "q = torch.arange(24.).reshape(2, 3, 4)")
    [[view]] = response.context["results"].groups
    assert [s.label for s in view.table.slices] == ["0, :, :", "1, :, :"]
    assert "data-slice-select" in response.text
    assert response.text.count('data-slice="') == 2


def test_nan_is_shown_loudly(client: TestClient) -> None:
    response = run_page(client, "n = torch.tensor([1.0, float('nan'), float('inf')])")
    assert 'class="loud"' in response.text
    assert re.search(r'<td class="nonfinite"[^>]*>NaN</td>', response.text)
    assert re.search(r'<td class="nonfinite"[^>]*>Infinity</td>', response.text)
    assert '<span class="badge bad">NaN/Inf</span>' in response.text  # on the folded row too


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_error_shows_the_line_and_the_explanation_in_the_language(
    client: TestClient, lang: str
) -> None:
    response = run_page(client, VIEW_ERROR, lang=lang)
    explanation = api_report(client, VIEW_ERROR, lang=lang)["error"]["explanation"]
    assert explanation is not None
    html = response.text
    assert str(code_spans(explanation["why"])) in html
    assert explanation["title"] in html
    assert response.context["meta"]["error_line"] == 2
    assert '<span class="lineno">2</span> y = x.t().view(-1)' in html
    assert response.context["meta"]["error_message"].startswith("RuntimeError: ")
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
    assert str(code_spans(shown)) in html


def test_limit_errors_are_explained_plainly(client: TestClient) -> None:
    response = run_page(client, "while True:\n    pass", lang="en")
    assert response.context["report"].error.type == "TimeLimitExceeded"
    assert pages.STRINGS["en"]["limit_TimeLimitExceeded_title"] in response.text


def test_a_snippet_over_the_limit_is_413(client: TestClient) -> None:
    big = "#" * (client.app.state.settings.max_code_bytes + 1)
    assert client.post("/run", data={"code": big}, headers=HX).status_code == 413
    page = client.post("/run", data={"code": big}, headers=HTML)
    assert page.status_code == 413 and page.template.name == "error.html"


def test_the_graph_is_sent_as_validated_structure_never_as_the_childs_dot(
    client: TestClient,
) -> None:
    response = run_page(client, "w = torch.ones(3, requires_grad=True)\nloss = (w * 2).sum()")
    assert "digraph" not in response.text  # the child's DOT never reaches the page
    graph = response.context["results"].graph
    labels = {node["label"]: node for node in graph["nodes"]}
    assert labels["MulBackward0"]["shape"] == "[3]" and labels["SumBackward0"]["shape"] == "[]"
    leaf = next(node for node in graph["nodes"] if node["kind"] == "leaf")
    assert leaf["name"] == "w" and leaf["shape"] == "[3]"
    assert 'id="run-graph"' in response.text and 'id="tab-graph"' in response.text
    views = [v for group in response.context["results"].groups for v in group]
    card = next(v for v in views if v.name == "loss")
    assert card.node_id in {node["id"] for node in graph["nodes"]}


def test_a_leaf_shows_its_grads_shape_after_backward(client: TestClient) -> None:
    code = "w = torch.ones(2, 3, requires_grad=True)\nloss = (w * 2).sum()\nloss.backward()"
    graph = run_page(client, code).context["results"].graph
    leaf = next(node for node in graph["nodes"] if node["kind"] == "leaf")
    assert leaf["grad"] == "[2, 3]"


def test_steps_go_to_the_page_as_bounded_json_with_each_line_once(client: TestClient) -> None:
    code = "def f(t):\n    u = t * 2\n    return u\n\nx = torch.ones(2)\ny = f(x)\n"
    response = run_page(client, code)
    steps = response.context["results"].steps["steps"]
    assert [(s["line"], s["frame"]) for s in steps] == [(5, None), (2, "f"), (6, None)]
    assert steps[1]["changed"][1] == {
        "name": "u", "event": "bound", "in_place": False, "shape": "[2]", "dtype": "torch.float32",
        "stride": "[1]", "contiguous": True, "requires_grad": False, "grad_fn": None, "grad": None,
        "values": "[2, 2]", "grad_values": None,
    }  # fmt: skip
    assert response.text.count("u = t * 2") == 0  # the stepper takes the line from the editor


def test_templates_need_no_inline_script_or_style(client: TestClient) -> None:
    """The CSP allows only the page's own files: no inline code, style or event handler."""
    code = "import matplotlib.pyplot as plt\nx = torch.ones(2, 3).t()\nplt.plot([1])\nx.view(-1)"
    for html in (client.get("/").text, run_page(client, code).text, client.get("/s/missing1",
                 headers=HTML).text):  # fmt: skip
        assert not re.search(r"\sstyle=", html)
        assert "<style" not in html
        assert not re.search(r"\son[a-z]+=", html)
        for script in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in script or 'type="application/json"' in script, script


def test_static_files_are_hashed_compressed_and_cached_for_a_year(client: TestClient) -> None:
    html = client.get("/").text
    [url] = re.findall(r"/static/vendor/codemirror\.[0-9a-f]{10}\.js", html)  # loaded by app.js
    response = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    plain = client.get("/static/vendor/codemirror.js")
    assert plain.headers["cache-control"] == "no-cache" and plain.content == response.content
    etag = plain.headers["etag"]
    again = client.get("/static/vendor/codemirror.js", headers={"If-None-Match": etag})
    assert again.status_code == 304
    stale = url.replace(url.split(".")[-2], "0" * 10)
    assert client.get(stale).status_code == 404
    for path in (
        "/static/../app/main.py",
        "/static/vendor/build/build.mjs",
        "/static/vendor/codemirror.js.gz",
        "/static/%2e%2e/README.md",
    ):
        assert client.get(path).status_code == 404, path


def test_the_footer_names_the_torch_and_app_versions(client: TestClient) -> None:
    html = client.get("/").text
    assert f"PyTorch {pages.torch_version()}" in html and pages.torch_version().startswith("2.13")
    assert f"Tensor Playground {pages.__version__}" in html


def test_the_theme_choice_is_remembered(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(data_dir=tmp_path, max_runs=1))) as fresh:
        assert "theme-" not in fresh.get("/").text.split("<head>")[0]
        assert fresh.post("/prefs", data={"pref": "theme", "theme": "dark"}).status_code == 204
        assert '<html lang="en" class="theme-dark">' in fresh.get("/").text
        fresh.post("/prefs", data={"pref": "theme", "theme": ""})
        assert fresh.get("/").context["theme"] is None


def test_the_cjk_font_subset_covers_every_chinese_character_the_page_shows() -> None:
    """Rebuild with static/vendor/build/cjk_subset.py when text with new characters lands."""
    css = (pages.STATIC_DIR / "vendor" / "noto-sans-sc.css").read_text()
    covered: set[int] = set()
    for part in re.findall(r"U\+([0-9A-F]+)(?:-([0-9A-F]+))?", css):
        start = int(part[0], 16)
        covered.update(range(start, int(part[1] or part[0], 16) + 1))
    sources = [*pages.TEMPLATES_DIR.rglob("*.html"), *pages.TEMPLATES_DIR.glob("*.json"),
               *SNIPPETS_DIR.glob("*/*.py"), *SNIPPETS_DIR.glob("**/*.toml"),
               *Path("app/explain").glob("*.json"),
               *Path("app/classroom").glob("*.py")]  # fmt: skip
    used = {ord(c) for path in sources for c in path.read_text(encoding="utf-8")
            if 0x4E00 <= ord(c) <= 0x9FFF}  # fmt: skip
    assert used and used <= covered, "".join(sorted(chr(c) for c in used - covered))


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


# ---- stop ----------------------------------------------------------------------------------


def test_stop_ends_the_clients_named_run_and_the_page_says_who_stopped_it(
    server: LiveServer,
) -> None:
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(
            httpx.post, f"{server.url}/run", headers=HX, timeout=60,
            data={"code": "while True:\n    pass\n", "run_key": "k1"},
        )  # fmt: skip
        started = time.monotonic()
        while True:  # the run is admitted a moment after the request is sent
            stop = httpx.post(f"{server.url}/run/stop", data={"run_key": "k1"}, timeout=10)
            if stop.status_code == 204 or time.monotonic() - started > 20:
                break
            time.sleep(0.05)
        assert stop.status_code == 204
        html = running.result().text
    assert "stopped before it finished" in html  # ended by the cancel, not by the time limit
    assert pages.STRINGS["en"]["stopped_title"] in html
    assert pages.STRINGS["en"]["limit_TimeLimitExceeded_title"] not in html


def test_stop_without_a_run_in_flight_is_404(client: TestClient) -> None:
    assert client.post("/run/stop", data={"run_key": "nothing"}).status_code == 404
    assert client.post("/run/stop", data={"run_key": "bad key!"}).status_code == 422
