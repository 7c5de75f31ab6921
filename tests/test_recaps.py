"""The recaps and the glossary: complete in both languages, and every line of code true.

A recap row's code runs on the real server after its section's setup; a row with a
`result` must print exactly that (`str()` of the expression), a row with `raises` must
raise that exception, and every other row must run without error. So a cheat sheet cannot
state a shape, a dtype or a rule that torch 2.13 contradicts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from app.lessons import glossary, recap, topics

CJK = re.compile(r"[\u4e00-\u9fff]")
TOPIC_IDS = [topic.id for topic in topics()]
RunSnippet = Callable[..., dict[str, Any]]


def rows(topic: str) -> list[tuple[str, dict[str, Any]]]:
    sheet = recap(topic)
    assert sheet is not None
    runnable = [section for section in sheet["sections"] if section.get("runs", True)]
    return [(section.get("setup", ""), row) for section in runnable for row in section["rows"]]


def probe(topic: str) -> str:
    """One snippet running every row, printing `@@<n> <outcome>` for row n."""
    lines: list[str] = []
    last_setup = None
    for index, (setup, row) in enumerate(rows(topic)):
        if setup != last_setup:
            lines.append(setup)
            last_setup = setup
        if "result" in row:
            action, outcome = f"_value = ({row['code']})", "str(_value)"
        else:
            action, outcome = row["code"], '"ran"'
        lines += [
            "try:",
            f"    {action}",
            f'    print("@@{index}", {outcome})',
            "except Exception as _error:",
            f'    print("@@{index}", "raised", type(_error).__name__)',
        ]
    return "\n".join(lines) + "\n"


def expected(row: dict[str, Any]) -> str:
    if "raises" in row:
        return f"raised {row['raises']}"
    return str(row["result"]) if "result" in row else "ran"


@pytest.mark.parametrize("topic", TOPIC_IDS)
def test_every_topic_has_a_recap_in_both_languages(topic: str) -> None:
    sheet = recap(topic)
    assert sheet is not None and sheet["topic"] == topic
    assert not CJK.search(sheet["title"]) and CJK.search(sheet["title_zh"])
    for section in sheet["sections"]:
        assert CJK.search(section["heading_zh"]) and not CJK.search(section["heading"])
        for row in section["rows"]:
            assert row["code"] and not CJK.search(row["en"]) and CJK.search(row["zh"])
            assert not ("result" in row and "raises" in row)


@pytest.mark.parametrize("topic", [t for t in TOPIC_IDS if rows(t)])
def test_every_line_of_a_recap_does_what_it_says(topic: str, run_snippet: RunSnippet) -> None:
    report = run_snippet(probe(topic))
    assert report["error"] is None, report["error"]
    outcomes = dict(re.findall(r"^@@(\d+) (.*)$", report["stdout"], re.MULTILINE))
    for index, (_, row) in enumerate(rows(topic)):
        assert outcomes.get(str(index)) == expected(row), (row["code"], outcomes.get(str(index)))


def test_the_issue_s_comparisons_are_in_the_recaps() -> None:
    """view / reshape / contiguous; cat vs stack, chunk vs split; no_grad / eval / detach /
    requires_grad=False; dtype promotion."""

    def text(topic: str) -> str:
        sheet = recap(topic)
        assert sheet is not None
        return " ".join(row["code"] + row["en"] for s in sheet["sections"] for row in s["rows"])

    for topic, names in {
        "shape": ("view", "reshape", "contiguous"),
        "joining": ("torch.cat", "torch.stack", "chunk", "split"),
        "autograd": ("no_grad", "detach", "requires_grad = False"),
        "modules": ("eval()", "no_grad()"),
        "arithmetic": ("result_type", "promotion"),
    }.items():
        found = text(topic) + " ".join(s["heading"] for s in recap(topic)["sections"])  # type: ignore[index]
        for name in names:
            assert name in found, (topic, name)


def test_the_glossary_pairs_each_term_once() -> None:
    terms = glossary()
    assert len(terms) >= 40
    assert len({term["en"] for term in terms}) == len(terms)
    for term in terms:
        assert not CJK.search(term["en"]) and CJK.search(term["zh"])
        assert ("note" in term) == ("note_zh" in term)
    chinese = {term["zh"] for term in terms}
    for wanted in ("归约", "步幅（stride）", "哈达玛积（逐元素乘积）", "映射式（map-style）数据集",
                   "等比数列（对数刻度上等间隔）"):  # fmt: skip
        assert wanted in chinese
