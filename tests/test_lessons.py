"""The lessons: well-formed in both languages, honest about their sources, and true on the server.

Three parts. The metadata part needs no server: every lesson has titles, notices and a question
in both languages, names its seed article and the passage it comes from (or says it is not
from the articles), gives no answer away in its comments, and uses the glossary's Chinese. The
loader part shows each kind of bad sidecar rejected. The outcome part runs every lesson (and its
Chinese rendering) through ``POST /api/v1/run`` and checks the declared outcome and each
question's answer against the report; tests/test_lesson_claims.py checks each notice's facts.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from collections.abc import Callable
from pathlib import Path

import pytest
from lesson_runs import BY_ID, LESSONS, Report, lesson_report, tensors

from app.lessons import (
    SNIPPETS_DIR,
    TOPICS,
    Lesson,
    LessonError,
    find_lesson,
    glossary,
    load_lessons,
    neighbours,
)  # fmt: skip
from tests.conftest import PROJECT_ROOT

CJK = re.compile(r"[\u4e00-\u9fff]")
EMPHASIS = re.compile(r"\*\*|\*[^\s*][^*]*[^\s*]\*")  # markdown the page would show raw
SEEDS_DIR = Path("/work/shared/seeds")
CATALOG = Path(__file__).resolve().parents[1] / "app" / "explain" / "catalog.json"
TRANSLATED = [lesson for lesson in LESSONS if lesson.code_zh != lesson.code]
ERRORS = [lesson for lesson in LESSONS if lesson.expects_error]
RunSnippet = Callable[..., Report]


# --- metadata ---------------------------------------------------------------------------


def test_the_course_has_the_old_lessons_and_the_new_basics() -> None:
    assert len(LESSONS) >= 130
    for basic in ("modules-subclass", "modules-activations-softmax", "indexing-gather",
                  "indexing-where", "autograd-where-nan-gradient", "shape-expand",
                  "training-adam-adamw", "training-classification-loop", "training-checkpoint",
                  "project-classifier"):  # fmt: skip
        assert basic in BY_ID


@pytest.mark.parametrize("topic", [topic for topic, _, _ in TOPICS])
def test_every_topic_has_lessons_and_names_in_both_languages(topic: str) -> None:
    assert [lesson for lesson in LESSONS if lesson.topic == topic]
    english, chinese = next((en, zh) for t, en, zh in TOPICS if t == topic)
    assert english and not CJK.search(english) and CJK.search(chinese)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_texts_are_complete_in_both_languages(lesson: Lesson) -> None:
    assert lesson.title and not CJK.search(lesson.title)
    assert lesson.notice and not CJK.search(re.sub(r'"[^"]*"', "", lesson.notice))
    assert CJK.search(lesson.title_zh) and CJK.search(lesson.notice_zh)
    assert (lesson.title_for("en"), lesson.title_for("zh")) == (lesson.title, lesson.title_zh)
    assert lesson.notice_for("zh-CN") == lesson.notice_zh
    assert (lesson.code_for("en"), lesson.code_for("zh")) == (lesson.code, lesson.code_zh)
    assert lesson.path.endswith(f"{lesson.topic}/{lesson.id}.py")
    assert lesson.code == Path(lesson.path).read_text(encoding="utf-8")


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_texts_are_plain_apart_from_code_spans(lesson: Lesson) -> None:
    """The page renders `backticked` spans as code and everything else as written."""
    question = lesson.question
    assert question is not None
    texts = [lesson.title, lesson.title_zh, lesson.notice, lesson.notice_zh, question.prompt,
             question.prompt_zh, *question.choices, *question.choices_zh]  # fmt: skip
    for text in texts:
        assert text.count("`") % 2 == 0, text
        prose = re.sub(r"`[^`]*`", "", text)
        assert not EMPHASIS.search(prose), text


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_every_lesson_asks_a_question_first(lesson: Lesson) -> None:
    question = lesson.question
    assert question is not None
    assert question.prompt.endswith("?") and question.prompt_zh.endswith("？")
    if question.kind == "choice":
        assert len(question.choices) == len(question.choices_zh) >= 2
        assert len(set(question.choices)) == len(question.choices)
    if question.kind == "line":
        assert question.answer == lesson.error_line
    assert question.is_right(question.answer if question.kind != "shape" else list(question.answer))


def comments(code: str) -> list[tuple[int, str]]:
    tokens = tokenize.generate_tokens(io.StringIO(code).readline)
    return [(t.start[0], t.string) for t in tokens if t.type == tokenize.COMMENT]


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_comments_do_not_give_the_answer_away(lesson: Lesson) -> None:
    question = lesson.question
    assert question is not None
    found = comments(lesson.code)
    if question.kind == "line":
        assert question.answer not in [line for line, _ in found], "the failing line has a comment"
    if question.kind == "shape":
        sizes = ", ".join(str(size) for size in question.answer)
        spelled = (f"({sizes})", f"[{sizes}]", f"({sizes},)")
        assert not [text for _, text in found if any(shape in text for shape in spelled)]
    if question.kind == "choice":
        answer = question.choices[question.answer].replace("`", "")
        key = re.split(r"[:,，：]", answer)[0].strip()
        if len(key) >= 3:
            assert not [text for _, text in found if key in text], key


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_comments_and_printed_labels_are_in_chinese_in_the_chinese_code(lesson: Lesson) -> None:
    assert lesson.code_zh.count("\n") == lesson.code.count("\n")
    english_words = re.compile(r"[A-Za-z]{2,}[ ,:]+[A-Za-z]{2,}")
    for _, text in comments(lesson.code_zh):
        assert not english_words.search(text) or CJK.search(text), text
    for line in lesson.code_zh.splitlines():
        for label in re.findall(r'print\(\s*f?"([^"{]*)', line):
            assert not english_words.search(label) or CJK.search(label), label


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_a_lesson_names_its_seed_by_title_or_says_it_is_not_from_them(lesson: Lesson) -> None:
    if lesson.source is None:
        assert (lesson.source_title_for("en"), lesson.passage) == ("Not from the articles", None)
        assert "the article" not in lesson.notice.replace("One seed article", "")
        assert "原文" not in lesson.notice_zh.replace("一篇原文", "")
    else:
        assert lesson.passage and CJK.search(lesson.source_title_for("zh"))
        assert not re.search(r"\d{3}_[0-9a-f]{16}", lesson.source_title_for("en"))


@pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="the seed articles are not on this machine")
@pytest.mark.parametrize("lesson", [x for x in LESSONS if x.source], ids=lambda x: x.id)
def test_each_quoted_passage_is_in_its_seed(lesson: Lesson) -> None:
    for source, passage in [(lesson.source, lesson.passage), *lesson.also]:
        assert source is not None and passage is not None
        seed = " ".join((SEEDS_DIR / source).read_text(encoding="utf-8").split())
        for fragment in passage.split(" … "):
            assert fragment in seed, fragment


@pytest.mark.parametrize("term", glossary(), ids=lambda term: term["en"])
def test_chinese_texts_use_the_glossary_terms(term: dict[str, object]) -> None:
    """A rendering the glossary rejects appears only inside “quotes” (citing the article)."""
    concepts = set(term.get("concepts", []))  # type: ignore[arg-type]
    for lesson in LESSONS:
        if concepts and not concepts & {*lesson.needs, *lesson.teaches}:
            continue
        texts = " ".join((lesson.title_zh, lesson.notice_zh, lesson.code_zh))
        text = re.sub(r"“[^”]*”", "", texts)
        for rejected in term.get("not_zh", []):  # type: ignore[union-attr]
            assert rejected not in text, f"{lesson.id}: {rejected} (use {term['zh']})"


def test_lessons_linked_from_the_pitfall_catalog_exist() -> None:
    linked = {entry["lesson"] for entry in json.loads(CATALOG.read_text()) if entry.get("lesson")}
    assert linked
    for lesson_id in linked:
        assert find_lesson(lesson_id) is not None, lesson_id


def test_old_ids_still_find_the_lesson_they_became() -> None:
    merged = BY_ID["autograd-no-grad"]
    assert set(merged.formerly) == {"autograd-no-grad-context", "autograd-no-grad-decorator"}
    assert find_lesson("autograd-no-grad-decorator") is merged
    assert find_lesson("indexing-cat") is BY_ID["joining-cat"]
    assert find_lesson("no-such-lesson") is None and find_lesson(None) is None


def test_neighbours_walk_the_course_in_order() -> None:
    ids = [lesson.id for lesson in LESSONS]
    assert neighbours(ids[0]) == (None, ids[1])
    assert neighbours(ids[5]) == (ids[4], ids[6])
    assert neighbours(ids[-1]) == (ids[-2], None)
    assert neighbours("indexing-cat") == neighbours("joining-cat")
    assert neighbours("no-such-lesson") == (None, None)


# --- the loader rejects bad lessons -----------------------------------------------------

COURSE = """\
[[topics]]
id = "creation"
title = "Creating tensors"
title_zh = "创建张量"

[seeds."001_50eb38e264ab5ee5.txt"]
title = "原文"
title_en = "The article"

[concepts]
"torch.tensor" = 'torch\\.tensor\\('
"view" = '\\.view\\('
"""
CODE = "x = torch.ones(2)\ny = x.view(3)\n"
GOOD = """\
title = "A sample"
title_zh = "示例"
order = 10
expect = "ok"
source = "001_50eb38e264ab5ee5.txt"
passage = "一段原文"
needs = []
teaches = ["view"]
notice = \"\"\"
A notice, wrapped
over two lines.\"\"\"
notice_zh = \"\"\"
说明文字
换行后接着写。\"\"\"

[question]
kind = "shape"
prompt = "What shape?"
prompt_zh = "什么形状？"
tensor = "y"
answer = [3]
"""


def write(root: Path, sidecar: str, code: str = CODE, name: str = "creation-sample") -> Path:
    (root / "course.toml").write_text(COURSE, encoding="utf-8")
    folder = root / "creation"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.toml").write_text(sidecar, encoding="utf-8")
    path = folder / f"{name}.py"
    path.write_text(code, encoding="utf-8")
    return path


def as_error(text: str, line: str) -> str:
    return text.replace('expect = "ok"', f'expect = "RuntimeError"\nerror_line = {line}')


def test_a_good_lesson_loads_with_its_texts_unwrapped(tmp_path: Path) -> None:
    write(tmp_path, as_error(GOOD, "2"))
    (lesson,) = load_lessons(tmp_path)
    assert (lesson.id, lesson.topic, lesson.expect, lesson.error_line) == (
        "creation-sample", "creation", "RuntimeError", 2,
    )  # fmt: skip
    assert lesson.code == CODE and lesson.code_zh == CODE
    assert lesson.notice == "A notice, wrapped over two lines."
    assert lesson.notice_zh == "说明文字换行后接着写。"
    assert lesson.source_title_for("zh") == "原文" and lesson.passage == "一段原文"
    assert lesson.question is not None and lesson.question.answer == (3,)


def test_code_zh_replaces_comments_and_labels_only(tmp_path: Path) -> None:
    code = 'x = torch.ones(2)  # two ones\nprint("twice", x)\n'
    renderings = '\n[code_zh]\n"# two ones" = "# 两个 1"\n\'"twice"\' = \'"两次"\'\n'
    write(tmp_path, GOOD + renderings, code)
    (lesson,) = load_lessons(tmp_path)
    assert lesson.code_zh == 'x = torch.ones(2)  # 两个 1\nprint("两次", x)\n'


LINE_QUESTION = as_error(GOOD, "2").replace('kind = "shape"', 'kind = "line"')
CHOICES = 'kind = "choice"\nchoices = ["a", "b"]\nchoices_zh = ["甲", "乙"]'
CHOICE_OUT_OF_RANGE = (
    GOOD.replace('kind = "shape"', CHOICES).replace('tensor = "y"\n', "").replace("[3]", "2")
)
BAD = [
    ("missing field", GOOD.replace('title_zh = "示例"\n', ""), "missing field(s): title_zh"),
    ("unknown field", GOOD.replace("order = 10", "order = 10\nlevel = 1"), "unknown field"),
    ("not toml", GOOD.replace("order = 10", "order = "), "not valid TOML"),
    ("order not a number", GOOD.replace("order = 10", 'order = "ten"'), "order must be"),
    ("error without line", GOOD.replace('"ok"', '"RuntimeError"'), "error_line is missing"),
    ("line on an ok lesson", GOOD.replace("order = 10", "order = 10\nerror_line = 1"), "only for"),
    ("line past the end", as_error(GOOD, "3"), "not a line of the code"),
    ("line zero", as_error(GOOD, "0"), "not a line of the code"),
    ("expect not an exception", GOOD.replace('"ok"', '"fails"'), "exception name"),
    ("English in Chinese", GOOD.replace('title_zh = "示例"', 'title_zh = "Sample"'), "be Chinese"),
    ("Chinese in English", GOOD.replace('"A sample"', '"示例"'), "not be Chinese"),
    ("unknown seed", GOOD.replace("001_50eb38e264ab5ee5.txt", "blog.txt"), "not a seed"),
    ("seed without passage", GOOD.replace('passage = "一段原文"\n', ""), "passage must quote"),
    ("passage without seed", GOOD.replace('"001_50eb38e264ab5ee5.txt"', '"none"'), "no passage"),
    ("unknown concept", GOOD.replace('["view"]', '["magic"]'), "not among course.toml"),
    ("needs what it teaches", GOOD.replace("needs = []", 'needs = ["view"]'), "both name"),
    ("needs the untaught", GOOD.replace("needs = []", 'needs = ["torch.tensor"]'), "no earlier"),
    ("unknown question kind", GOOD.replace('"shape"', '"essay"'), "kind must be"),
    ("shape without tensor", GOOD.replace('tensor = "y"\n', ""), "names its tensor"),
    ("shape answer not sizes", GOOD.replace("answer = [3]", "answer = 3"), "list of sizes"),
    ("line answer not the error line", LINE_QUESTION, "answer is the error_line"),
    ("choice out of range", CHOICE_OUT_OF_RANGE, "index"),
    ("code_zh not in code", GOOD + '\n[code_zh]\n"# none" = "# 无"\n', "is not in the code"),
    ("code_zh changes code", GOOD + '\n[code_zh]\n"view" = "reshape"\n', "more than comments"),
]


@pytest.mark.parametrize(("text", "problem"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_the_loader_rejects_a_bad_sidecar(tmp_path: Path, text: str, problem: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(LessonError, match=re.escape(problem)) as caught:
        load_lessons(tmp_path)
    assert str(path.with_suffix(".toml")) in str(caught.value)


def test_the_loader_rejects_a_file_outside_its_topic_and_a_duplicate_id(tmp_path: Path) -> None:
    write(tmp_path, GOOD, name="shape-sample")
    with pytest.raises(LessonError, match="must be a slug starting with 'creation-'"):
        load_lessons(tmp_path)
    (tmp_path / "creation" / "shape-sample.py").unlink()
    (tmp_path / "creation" / "shape-sample.toml").unlink()
    write(tmp_path, GOOD.replace("teaches", 'formerly = ["creation-other"]\nteaches'))
    write(tmp_path, GOOD, name="creation-other")
    with pytest.raises(LessonError, match="id 'creation-other' is also used"):
        load_lessons(tmp_path)


def test_the_loader_rejects_a_lesson_without_its_sidecar_or_a_stray_sidecar(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    path.with_suffix(".toml").unlink()
    with pytest.raises(LessonError, match="no sidecar"):
        load_lessons(tmp_path)
    path.unlink()
    (tmp_path / "creation" / "creation-x.toml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(LessonError, match="without its lesson"):
        load_lessons(tmp_path)


def test_the_project_lessons_load_from_the_snippets_folder() -> None:
    assert [lesson.id for lesson in load_lessons(SNIPPETS_DIR)] == [x.id for x in LESSONS]


# --- outcomes on the real server ---------------------------------------------------------


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_lesson_has_its_declared_outcome(lesson: Lesson, run_snippet: RunSnippet) -> None:
    report = lesson_report(run_snippet, lesson)
    error = report["error"]
    if lesson.expect == "ok":
        assert error is None, f"{error['type']} on line {error['line']}: {error['message']}"
        assert report["ok"] is True
    else:
        assert error is not None, "the lesson was meant to raise"
        assert (error["type"], error["line"]) == (lesson.expect, lesson.error_line)
    # No wall-clock bound here (timing on a shared machine is noise): a lesson that ran past
    # the 5 s limit would fail above with TimeLimitExceeded instead of its declared outcome.


@pytest.mark.parametrize("lesson", TRANSLATED, ids=lambda lesson: lesson.id)
def test_the_chinese_code_has_the_same_outcome(lesson: Lesson, run_snippet: RunSnippet) -> None:
    english, chinese = lesson_report(run_snippet, lesson), lesson_report(run_snippet, lesson, "zh")
    assert (chinese["error"] or {}).get("type") == (english["error"] or {}).get("type")
    assert [t["name"] for t in chinese["tensors"]] == [t["name"] for t in english["tensors"]]
    assert chinese["stdout"].count("\n") == english["stdout"].count("\n")


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_the_question_s_answer_is_what_the_run_shows(
    lesson: Lesson, run_snippet: RunSnippet
) -> None:
    question = lesson.question
    assert question is not None
    report = lesson_report(run_snippet, lesson)
    if question.kind == "shape":
        assert question.tensor is not None
        assert tuple(tensors(report)[question.tensor]["shape"]) == question.answer
    elif question.kind == "line":
        assert report["error"]["line"] == question.answer


def test_the_readme_counts_the_lessons_as_they_are() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The lessons") :]
    paragraph = " ".join(section.split("\n\n")[1].split())
    assert paragraph.startswith(f"{len(LESSONS)} lessons, in course order")
    counts = [int(n) for n in re.findall(r"\((\d+)\)", paragraph)]
    assert counts == [sum(x.topic == topic for x in LESSONS) for topic, _, _ in TOPICS]
