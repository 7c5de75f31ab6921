"""The lessons: every snippet is well-formed, and does on the real server what its header says.

Two halves. The metadata half needs no server: every header parses, both languages are
filled in, the curriculum is covered, and the loader rejects each kind of bad header. The
outcome half runs every lesson through ``POST /api/v1/run`` and checks the declared
outcome, then spot-checks the fact each key lesson exists to show against the reported
tensors, comparing with torch itself where the fact is a number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from app.lessons import TOPICS, Lesson, LessonError, load_lessons, parse_lesson

SNIPPETS = Path(__file__).resolve().parents[1] / "snippets"
LESSONS = load_lessons(SNIPPETS)
BY_ID = {lesson.id: lesson for lesson in LESSONS}
CJK = re.compile(r"[\u4e00-\u9fff]")
EMPHASIS = re.compile(r"\*\*|\*[^\s*][^*]*[^\s*]\*")  # markdown the page would show raw
SEED_FILE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")

# Error lessons the pitfall catalog links to: their ids are part of the contract.
REFERENCED_ERROR_LESSONS = (
    "shape-view-non-contiguous",
    "arithmetic-bmm-needs-3d",
    "conversion-item-multi-element",
    "autograd-backward-non-scalar",
    "autograd-backward-after-detach",
    "autograd-numpy-requires-grad",
    "autograd-inplace-before-backward",
    "dtype-nan-double-vs-float",
)

Report = dict[str, Any]
ReportOf = Callable[[str], Report]


# --- metadata ---------------------------------------------------------------------------


def test_there_are_at_least_64_lessons() -> None:
    assert len(LESSONS) >= 64


@pytest.mark.parametrize("topic", [topic for topic, _, _ in TOPICS])
def test_every_topic_has_lessons(topic: str) -> None:
    assert [lesson for lesson in LESSONS if lesson.topic == topic]


def test_topics_have_names_in_both_languages() -> None:
    assert len({topic for topic, _, _ in TOPICS}) == len(TOPICS)
    for topic, english, chinese in TOPICS:
        assert english and not CJK.search(english), topic
        assert CJK.search(chinese), topic


def test_lesson_ids_are_unique() -> None:
    assert len(BY_ID) == len(LESSONS)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_header_is_complete_in_both_languages(lesson: Lesson) -> None:
    assert lesson.title and not CJK.search(lesson.title)
    assert lesson.notice and not CJK.search(lesson.notice)
    assert CJK.search(lesson.title_zh)
    assert CJK.search(lesson.notice_zh)
    assert SEED_FILE.fullmatch(lesson.source)
    assert lesson.title_for("en") == lesson.title
    assert lesson.title_for("zh") == lesson.title_zh
    assert lesson.notice_for("zh-CN") == lesson.notice_zh
    assert lesson.path.endswith(f"{lesson.topic}/{lesson.id}.py")
    file_text = Path(lesson.path).read_text(encoding="utf-8")
    assert file_text.endswith(lesson.code) and not lesson.code.startswith(("# id:", "\n"))


@pytest.mark.parametrize("lesson", [x for x in LESSONS if x.expects_error], ids=lambda x: x.id)
def test_error_line_counts_from_the_first_line_of_the_code(lesson: Lesson) -> None:
    """`code` is what the editor shows: the error line is a line of it, header excluded."""
    assert "# id:" not in lesson.code and "# notice" not in lesson.code
    assert lesson.error_line is not None
    line = lesson.code.splitlines()[lesson.error_line - 1]
    assert line.strip() and not line.lstrip().startswith("#")


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_texts_are_plain_apart_from_code_spans(lesson: Lesson) -> None:
    """The page renders `backticked` spans as code and everything else as written."""
    for text in (lesson.title, lesson.title_zh, lesson.notice, lesson.notice_zh):
        assert text.count("`") % 2 == 0, text
        prose = re.sub(r"`[^`]*`", "", text)
        assert not EMPHASIS.search(prose), text
        assert not prose.startswith(('"', "'")), text


@pytest.mark.parametrize("lesson_id", REFERENCED_ERROR_LESSONS)
def test_lessons_linked_from_the_pitfall_catalog_exist_and_raise(lesson_id: str) -> None:
    lesson = BY_ID[lesson_id]
    assert lesson.expects_error
    assert lesson.error_line is not None


def test_lessons_come_in_teaching_order() -> None:
    rank = {topic: index for index, (topic, _, _) in enumerate(TOPICS)}
    keys = [(rank[lesson.topic], lesson.order, lesson.id) for lesson in LESSONS]
    assert keys == sorted(keys)


def test_continuation_lines_run_on_only_between_chinese_characters(tmp_path: Path) -> None:
    wrapped = "# notice_zh: 数组保持\n#   NumPy 的类型\n#   不变。"
    header = GOOD.replace("# notice_zh: 说明。", wrapped)
    header = header.replace("# notice: A notice.", "# notice: First line\n#   second line.")
    lesson = parse_lesson(write(tmp_path, header))
    assert lesson.notice_zh == "数组保持 NumPy 的类型不变。"
    assert lesson.notice == "First line second line."


GOOD = """\
# id: creation-sample
# title: A sample
# title_zh: 示例
# topic: creation
# source: 001_50eb38e264ab5ee5.txt
# notice: A notice.
# notice_zh: 说明。
# expect: ok
# order: 10

x = torch.ones(2)
y = x.view(3)
"""


def write(root: Path, text: str, folder: str = "creation", name: str = "creation-sample") -> Path:
    path = root / folder / f"{name}.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def as_error(text: str, line: str) -> str:
    return text.replace("# expect: ok", f"# expect: RuntimeError\n# error_line: {line}")


BAD_HEADERS = [
    ("missing field", GOOD.replace("# title_zh: 示例\n", ""), "missing field(s): title_zh"),
    ("unknown topic", GOOD.replace("topic: creation", "topic: tensors"), "unknown topic"),
    ("unknown key", GOOD.replace("# order: 10", "# order: 10\n# level: 1"), "unknown field"),
    ("key twice", GOOD.replace("# order: 10", "# order: 10\n# order: 20"), "given twice"),
    ("order not a number", GOOD.replace("order: 10", "order: ten"), "order must be an integer"),
    ("error without line", GOOD.replace("expect: ok", "expect: RuntimeError"), "error_line"),
    ("line on an ok lesson", GOOD.replace("# order", "# error_line: 12\n# order"), "only for"),
    ("line past the end", as_error(GOOD, "3"), "is not a line of the code"),
    ("line zero", as_error(GOOD, "0"), "is not a line of the code"),
    ("line on a blank", as_error(GOOD, "2").replace("(2)\n", "(2)\n\n"), "blank or comment"),
    ("line on a comment", as_error(GOOD, "1").replace("\n\nx", "\n\n# c\nx"), "blank or comment"),
    ("expect not an exception", GOOD.replace("expect: ok", "expect: fails"), "exception name"),
    ("id of another topic", GOOD.replace("id: creation-", "id: shape-"), "starting with"),
    ("source not a seed", GOOD.replace("001_50eb38e264ab5ee5.txt", "blog"), "seed article"),
    ("no blank line", GOOD.replace("# order: 10\n\n", "# order: 10\n"), "expected '# key"),
    ("header only", GOOD.split("\nx =")[0], "ended by a blank line"),
    ("no code", GOOD.split("\nx =")[0] + "\n# just a comment\n", "no code"),
]


@pytest.mark.parametrize(
    ("text", "problem"), [case[1:] for case in BAD_HEADERS], ids=[case[0] for case in BAD_HEADERS]
)
def test_loader_rejects_a_bad_header(tmp_path: Path, text: str, problem: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(LessonError, match=re.escape(problem)) as caught:
        load_lessons(tmp_path)
    assert str(path) in str(caught.value)


def test_a_good_header_loads_and_its_code_is_what_follows_the_header(tmp_path: Path) -> None:
    write(tmp_path, as_error(GOOD, "2"))
    (lesson,) = load_lessons(tmp_path)
    assert (lesson.id, lesson.expect, lesson.error_line, lesson.order) == (
        "creation-sample",
        "RuntimeError",
        2,
        10,
    )
    assert lesson.code == "x = torch.ones(2)\ny = x.view(3)\n"


def test_loader_rejects_a_file_named_unlike_its_id(tmp_path: Path) -> None:
    write(tmp_path, GOOD, name="creation-other")
    with pytest.raises(LessonError, match=r"file name must be creation-sample\.py"):
        load_lessons(tmp_path)


def test_loader_rejects_a_topic_folder_that_disagrees(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, folder="shape")
    with pytest.raises(LessonError, match="folder 'shape' but declares topic 'creation'"):
        load_lessons(tmp_path)
    assert path.exists()


def test_loader_rejects_duplicate_ids(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    write(tmp_path, GOOD, folder="shape")  # copied into another folder, id left unchanged
    with pytest.raises(LessonError, match="duplicate id 'creation-sample'"):
        load_lessons(tmp_path)


# --- outcomes on the real server ---------------------------------------------------------


@pytest.fixture(scope="session")
def report_of(run_snippet: Callable[..., Report]) -> ReportOf:
    """The server's report for a lesson, run once per session however many tests read it."""
    reports: dict[str, Report] = {}

    def report(lesson_id: str) -> Report:
        if lesson_id not in reports:
            reports[lesson_id] = run_snippet(BY_ID[lesson_id].code)
        return reports[lesson_id]

    return report


def tensors(report: Report) -> dict[str, Report]:
    assert not report.get("inspection_problems"), report["inspection_problems"]
    return {info["name"]: info for info in report["tensors"]}


def module(report: Report, name: str) -> Report:
    (found,) = [info for info in report["modules"] if info["name"] == name]
    return found


def grad_values(info: Report) -> torch.Tensor:
    assert info["grad"] is not None, f"{info['name']} has no grad"
    return torch.tensor(info["grad"]["values"], dtype=torch.float64)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_lesson_has_its_declared_outcome(lesson: Lesson, report_of: ReportOf) -> None:
    report = report_of(lesson.id)
    error = report["error"]
    if lesson.expect == "ok":
        assert error is None, f"{error['type']} on line {error['line']}: {error['message']}"
        assert report["ok"] is True
    else:
        assert error is not None, "the lesson was meant to raise"
        assert (error["type"], error["line"]) == (lesson.expect, lesson.error_line)
    # Lessons take well under a second on an idle machine; half the default 5 s limit leaves
    # room for a loaded one while still catching a lesson that would time out for a student.
    assert report["duration_ms"] < 2500


# (lesson, variable, field of its TensorInfo, value): the fact each lesson exists to show.
FACTS = [
    ("shape-view-non-contiguous", "t1", "stride", [3, 1]),
    ("shape-view-non-contiguous", "t1_", "stride", [1, 3]),
    ("shape-view-non-contiguous", "t1_", "is_contiguous", False),
    ("shape-view-non-contiguous", "t1_", "shares_storage_with", ["t1"]),
    ("conversion-numpy-shares-memory", "data_tensor", "shares_storage_with", ["back"]),
    ("conversion-numpy-shares-memory", "back", "values", [3, 2, 3]),
    ("conversion-numpy-copy", "data_tensor", "shares_storage_with", []),
    ("conversion-numpy-copy", "data_tensor", "values", [2, 2, 3]),
    ("conversion-from-numpy-vs-tensor", "data_tensor1", "shares_storage_with", ["data_tensor3"]),
    ("conversion-from-numpy-vs-tensor", "data_tensor1", "values", [100, 3, 4]),
    ("conversion-from-numpy-vs-tensor", "data_tensor2", "shares_storage_with", []),
    ("conversion-from-numpy-vs-tensor", "data_tensor2", "values", [2, 3, 4]),
    ("conversion-from-numpy-vs-tensor", "data_tensor_copy", "shares_storage_with", []),
    ("dtype-nan-lstm-nan-one-batch", "x", "stats.nan", 1),
    ("dtype-nan-lstm-nan-one-batch", "h_first", "stats.nan", 4),
    ("dtype-nan-lstm-nan-one-batch", "h_second", "stats.nan", 0),
    ("dtype-nan-lstm-nan-one-batch", "out", "stats.nan", 8),  # both steps of sequence one
    ("dtype-nan-lstm-nan-output", "out", "stats.nan", 8),
    ("dtype-nan-lstm-nan-output", "h", "stats.nan", 4),
    ("dtype-nan-lstm-nan-output", "c", "stats.nan", 4),
    ("dtype-nan-fill-and-mask", "x", "stats.nan", 1),
    ("dtype-nan-fill-and-mask", "x_filled", "stats.nan", 0),
    ("dtype-nan-fill-and-mask", "h", "stats.nan", 0),
    ("autograd-detach-shares-data", "x1", "values", [100.0, 20.0]),
    ("autograd-detach-shares-data", "x1", "shares_storage_with", ["x2"]),
    ("autograd-detach-shares-data", "x2", "requires_grad", False),
    ("autograd-two-branches", "x", "grad.values", [5.0] * 5),  # 2x + 3x² at x = 1
    ("autograd-detach-one-branch", "x", "grad.values", [2.0] * 5),  # only 2x
    ("autograd-assign-detach-attribute", "x", "grad.values", [5.0] * 5),  # nothing changed
    ("autograd-assign-data", "x", "grad.values", [16.0] * 5),  # 2x + 3x² at x = 2
    ("autograd-assign-data", "x", "grad.dtype", "torch.float64"),
    ("autograd-is-leaf", "t2", "is_leaf", False),
    ("autograd-is-leaf", "t2", "grad_fn", "AddBackward0"),
    ("autograd-is-leaf", "t3", "is_leaf", True),
    ("autograd-is-leaf", "plain", "is_leaf", True),
    ("autograd-retain-grad", "z", "grad", None),
    ("autograd-new-tensor", "x", "grad.values", 2.0),
    ("autograd-new-tensor", "a", "grad", None),
    ("autograd-new-tensor", "a", "is_leaf", True),
    ("autograd-no-grad-context", "f", "grad_fn", None),
    ("modules-no-grad-vs-eval", "a", "requires_grad", False),
    ("modules-no-grad-vs-eval", "c", "grad_fn", "AddmmBackward0"),  # eval() still records
    ("creation-arange", "data", "shares_storage_with", ["wrapped"]),
    ("creation-arange", "wrapped", "dtype", "torch.int64"),
    ("creation-arange", "as_float", "dtype", "torch.float32"),
    ("creation-zeros-ones-full", "sixes", "dtype", "torch.int64"),
    ("arithmetic-norm", "t_norm", "shape", [64, 3, 3]),
    ("arithmetic-norm", "t_norm_keep", "shape", [64, 3, 3, 1]),
    ("arithmetic-matmul-broadcast", "dot", "shape", []),
    ("arithmetic-matmul-broadcast", "row", "shape", [8]),
    ("arithmetic-matmul-broadcast", "column", "shape", [3, 4]),
    ("arithmetic-matmul-broadcast", "shared", "shape", [3, 4, 8]),
    ("arithmetic-matmul-broadcast", "grid", "shape", [2, 3, 4, 8]),
    (
        "indexing-simple",
        "row",
        "shares_storage_with",
        ["data", "element", "column_slice", "rows_then_rows"],
    ),
    ("indexing-boolean", "big", "shares_storage_with", []),
    ("training-cross-entropy-shapes", "labels", "dtype", "torch.int64"),
]


@pytest.mark.parametrize(
    ("lesson_id", "name", "path", "expected"), FACTS, ids=[f"{f[0]}:{f[1]}.{f[2]}" for f in FACTS]
)
def test_lesson_shows_its_fact(
    report_of: ReportOf, lesson_id: str, name: str, path: str, expected: object
) -> None:
    found: Any = tensors(report_of(lesson_id))[name]
    for key in path.split("."):
        found = found[key]
    assert found == expected


def test_reshape_copies_a_non_contiguous_tensor_but_views_a_contiguous_one(
    report_of: ReportOf,
) -> None:
    found = tensors(report_of("shape-view-fix-reshape"))
    t1 = torch.tensor(found["t1"]["values"])
    assert torch.equal(torch.tensor(found["flat"]["values"]), t1.t().reshape(-1))
    assert "flat" not in found["t1"]["shares_storage_with"]
    assert "flat_t1" in found["t1"]["shares_storage_with"]
    assert found["flat"]["is_contiguous"]


def test_contiguous_then_view_gives_the_transposed_order(report_of: ReportOf) -> None:
    found = tensors(report_of("shape-view-fix-contiguous"))
    data = torch.tensor(found["data"]["values"])
    assert torch.equal(torch.tensor(found["data_view"]["values"]), data.t().contiguous().view(2, 3))
    assert "data_contiguous" not in found["data"]["shares_storage_with"]


def test_accumulated_gradient_is_three_times_a_single_step(report_of: ReportOf) -> None:
    found = tensors(report_of("autograd-grad-accumulation"))
    x = torch.tensor(found["x"]["values"], dtype=torch.float64, requires_grad=True)
    (single,) = torch.autograd.grad((x**2 + 20).mean(), x)
    assert torch.allclose(grad_values(found["x"]), 3 * single)


def test_zeroed_gradient_is_a_single_step(report_of: ReportOf) -> None:
    found = tensors(report_of("autograd-zero-grad"))
    x = torch.tensor(found["x"]["values"], dtype=torch.float64, requires_grad=True)
    (single,) = torch.autograd.grad((x**2 + 20).mean(), x)
    assert torch.allclose(grad_values(found["x"]), single)


def test_frozen_layer_keeps_no_gradient_while_the_head_trains(report_of: ReportOf) -> None:
    model = module(report_of("modules-freeze-layer"), "model")
    parameters = {p["name"]: p for p in model["parameters"]}
    frozen, head = parameters["model.0.weight"], parameters["model.2.weight"]
    assert (frozen["requires_grad"], frozen["grad"]) == (False, None)
    assert head["requires_grad"] and head["grad"] is not None


def test_buffer_is_not_a_parameter(report_of: ReportOf) -> None:
    model = module(report_of("modules-register-buffer"), "model")
    assert [p["name"] for p in model["parameters"]] == ["model.weight"]
    assert [b["name"] for b in model["buffers"]] == ["model.weight_epsilon"]


def test_eval_turns_dropout_off_and_no_grad_does_not(report_of: ReportOf) -> None:
    report = report_of("modules-no-grad-vs-eval")
    found = tensors(report)
    assert found["a"]["values"] != found["b"]["values"]
    assert found["c"]["values"] == found["d"]["values"]
    assert module(report, "model")["training"] is False


def test_retained_non_leaf_gradient_is_kept_and_the_other_dropped(report_of: ReportOf) -> None:
    found = tensors(report_of("autograd-retain-grad"))
    y = torch.tensor(found["y"]["values"], dtype=torch.float64)
    assert torch.allclose(grad_values(found["y"]), 2 * y)
    assert found["z"]["grad"] is None


def test_graph_of_a_linear_function_has_three_named_leaves(report_of: ReportOf) -> None:
    graph = report_of("autograd-graph-linear")["graph"]
    leaves = {node["name"] for node in graph["nodes"] if node["kind"] == "leaf"}
    outputs = {node["name"] for node in graph["nodes"] if node["kind"] == "tensor"}
    assert (leaves, outputs) == ({"x", "w", "b"}, {"y"})


def test_manual_seed_reproduces_the_article_numbers(report_of: ReportOf) -> None:
    found = tensors(report_of("creation-manual-seed"))
    torch.manual_seed(42)
    expected = torch.randn(2, 3)
    assert torch.equal(torch.tensor(found["first"]["values"]), expected)
    assert found["second"]["values"] == found["first"]["values"]


def test_slicing_rows_twice_is_not_a_column_slice(report_of: ReportOf) -> None:
    found = tensors(report_of("indexing-simple"))
    data = torch.tensor(found["data"]["values"])
    assert torch.equal(torch.tensor(found["rows_then_rows"]["values"]), data[2:3])
    assert torch.equal(torch.tensor(found["column_slice"]["values"]), data[:3, 2:3])


def test_boolean_index_copies(report_of: ReportOf) -> None:
    found = tensors(report_of("indexing-boolean"))
    data = torch.tensor(found["data"]["values"])
    assert torch.equal(torch.tensor(found["big"]["values"]), data[data > 30])


def test_linear_regression_learns_the_line_and_plots_it(report_of: ReportOf) -> None:
    report = report_of("training-linear-regression")
    parameters = {p["name"]: p for p in module(report, "model")["parameters"]}
    assert abs(parameters["model.weight"]["values"][0][0] - 41.7) < 5
    assert abs(parameters["model.bias"]["values"][0] - 14.5) < 5
    assert len(report["figures"]) >= 1


def test_loss_target_of_the_wrong_shape_broadcasts_to_a_wrong_loss(report_of: ReportOf) -> None:
    found = tensors(report_of("training-loss-target-shape"))
    pred = torch.tensor(found["pred"]["values"])
    target = torch.tensor(found["target"]["values"])
    assert found["right"]["values"] == pytest.approx(((pred - target[:, None]) ** 2).mean().item())
    assert found["wrong"]["values"] == pytest.approx(((pred - target) ** 2).mean().item())
    assert found["right"]["values"] != pytest.approx(found["wrong"]["values"])


def test_cross_entropy_takes_logits_and_class_indices(report_of: ReportOf) -> None:
    found = tensors(report_of("training-cross-entropy-shapes"))
    logits = torch.tensor(found["logits"]["values"])
    labels = torch.tensor(found["labels"]["values"])
    expected = torch.nn.functional.cross_entropy(logits, labels).item()
    assert found["loss"]["values"] == pytest.approx(expected, rel=1e-5)


def test_error_lessons_fail_for_the_reason_they_teach(report_of: ReportOf) -> None:
    messages = {
        "shape-view-non-contiguous": "view size is not compatible",
        "arithmetic-bmm-needs-3d": "must be a 3D tensor",
        "conversion-item-multi-element": "a Tensor with 2 elements cannot be converted",
        "autograd-backward-non-scalar": "grad can be implicitly created only for scalar",
        "autograd-backward-after-detach": "does not require grad",
        "autograd-numpy-requires-grad": "requires grad",
        "autograd-inplace-before-backward": "modified by an inplace operation",
        "dtype-nan-double-vs-float": "Double and Float",
        "arithmetic-broadcasting": "must match the size of tensor b (2)",
        "autograd-backward-twice": "backward through the graph a second time",
        "modules-rnn-input-shape": "Expected 2, got 3",
        "indexing-integer-indices": "must be long, int, byte or bool",
    }
    for lesson_id, fragment in messages.items():
        assert fragment in report_of(lesson_id)["error"]["message"], lesson_id
