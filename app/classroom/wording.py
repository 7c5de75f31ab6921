"""What a check's result says, in English and Chinese: a table of sentences, filled with facts.

Every sentence names what was expected and what was found in facts a student can act on
(a shape, a dtype, which element, about how far off); none has a slot for the reference's
values, so none can leak them.
"""

from __future__ import annotations

from typing import Any

from app.classroom.values import Mismatch

SENTENCES: dict[str, dict[str, str]] = {
    # -- no_error / raises
    "ran": {"en": "Ran without an error.", "zh": "运行没有出错。"},
    "raised": {
        "en": "Your code raised {type}{at_line}: {message}",
        "zh": "你的代码{at_line}抛出了 {type}：{message}",
    },
    "raised_as_expected": {"en": "Raised {type}, as expected.", "zh": "按要求抛出了 {type}。"},
    "expected_raise_none": {
        "en": "Expected your code to raise {expected}; it ran without an error.",
        "zh": "应当抛出 {expected}，但代码运行没有出错。",
    },
    "expected_raise_other": {
        "en": "Expected your code to raise {expected}; it raised {found}: {message}",
        "zh": "应当抛出 {expected}，但抛出的是 {found}：{message}",
    },
    # -- tensor facts
    "facts_hold": {
        "en": "{subject}: {facts}, as expected.",
        "zh": "{subject}：{facts}，符合要求。",
    },
    "fact_differs": {
        "en": "Expected {subject} to have {fact} {expected}; it has {found}.",
        "zh": "{subject} 的 {fact} 应为 {expected}，实际是 {found}。",
    },
    "not_a_tensor": {
        "en": "{subject} is not a tensor variable after your code ran.",
        "zh": "代码运行后，{subject} 不是张量变量。",
    },
    "before_the_check": {
        "en": "Your code raised {type} before {subject} could be compared.",
        "zh": "在比较 {subject} 之前，你的代码抛出了 {type}。",
    },
    # -- equal / function
    "equal_holds": {
        "en": "{subject} has the expected shape, dtype and values.",
        "zh": "{subject} 的形状、dtype 和数值都符合要求。",
    },
    "function_holds": {
        "en": "{subject} returned the expected result in all {trials} trials.",
        "zh": "{subject} 在全部 {trials} 次测试中都返回了正确结果。",
    },
    "missing": {
        "en": "{subject} is not defined after your code ran.",
        "zh": "代码运行后没有定义 {subject}。",
    },
    "not_tensor": {
        "en": "Expected {subject} to be a tensor; it is {found}.",
        "zh": "{subject} 应当是张量，实际是 {found}。",
    },
    "kind": {
        "en": "Expected {subject} to be a {expected}; it is {found}.",
        "zh": "{subject} 应当是 {expected}，实际是 {found}。",
    },
    "length": {
        "en": "Expected {subject} to have {expected} items; it has {found}.",
        "zh": "{subject} 应有 {expected} 项，实际有 {found} 项。",
    },
    "shape": {
        "en": "Expected {subject} to have shape {expected}; it has {found}.",
        "zh": "{subject} 的形状应为 {expected}，实际是 {found}。",
    },
    "dtype": {
        "en": "Expected {subject} to have dtype {expected}; it has {found}.",
        "zh": "{subject} 的 dtype 应为 {expected}，实际是 {found}。",
    },
    "values": {
        "en": "{count} of {numel} elements of {subject} differ from the expected values "
        "(tolerance atol {atol:g}, rtol {rtol:g}): the first at {first}, where yours "
        "is {first_value}{first_off}{largest}.",
        "zh": "{subject} 的 {numel} 个元素中有 {count} 个与期望值不同（容差 atol {atol:g}、"
        "rtol {rtol:g}）：第一个在 {first}，你的值是 {first_value}{first_off}{largest}。",
    },
    "first_off": {"en": ", off by about {off}", "zh": "，相差约 {off}"},
    "largest": {
        "en": "; the largest difference is about {off}, at {at}",
        "zh": "；最大差值约为 {off}，在 {at}",
    },
    "nan_mismatch": {
        "en": " Some elements are NaN on one side only.",
        "zh": " 有些元素只在一方是 NaN。",
    },
    "not_equal": {
        "en": "{subject} is {found}, which is not the expected value{off}.",
        "zh": "{subject} 是 {found}，不是期望的值{off}。",
    },
    "not_equal_off": {"en": " (off by about {off})", "zh": "（相差约 {off}）"},
    "too_large": {
        "en": "{subject} has {size} elements, more than the {cap} a check compares.",
        "zh": "{subject} 有 {size} 个元素，超过了检查能比较的 {cap} 个。",
    },
    "other": {
        "en": "{subject} is a {type}, which a check cannot compare.",
        "zh": "{subject} 是 {type}，检查无法比较它。",
    },
    "unsupported": {
        "en": "{subject} cannot be read out for comparison ({reason}).",
        "zh": "{subject} 无法读出用于比较（{reason}）。",
    },
    "call_raised": {
        "en": "{subject} raised {type}: {message}",
        "zh": "{subject} 抛出了 {type}：{message}",
    },
    "args_raised": {
        "en": "The test arguments {args} could not be built after your code ran "
        "({type}: {message}).",
        "zh": "代码运行后无法构造测试参数 {args}（{type}：{message}）。",
    },
    "limit": {
        "en": "Grading stopped: {type} (the run's limits include grading).",
        "zh": "评分中止：{type}（评分也计入运行限制）。",
    },
    "unreadable": {
        "en": "Your run sent values that cannot be read ({problem}): nothing to compare.",
        "zh": "你的运行返回了无法读取的数值（{problem}），无法比较。",
    },
    "no_values": {
        "en": "No values came back from your run: nothing to compare.",
        "zh": "你的运行没有返回数值，无法比较。",
    },
    "reference_unusable": {
        "en": "The exercise's reference gave no value to compare with under this seed; "
        "tell your teacher.",
        "zh": "在这个随机种子下，练习的参考答案没有给出可比较的值；请告诉老师。",
    },
    # -- how things are named
    "variable": {"en": "`{name}`", "zh": "`{name}`"},
    "call": {
        "en": "`{name}{args}` (trial {trial} of {trials})",
        "zh": "`{name}{args}`（第 {trial}/{trials} 次测试）",
    },
    "call_all": {"en": "`{name}`", "zh": "`{name}`"},
    "item": {"en": "item {path} of {subject}", "zh": "{subject} 的第 {path} 项"},
    "at_line": {"en": " at line {line}", "zh": "在第 {line} 行"},
    "no_grad": {"en": "no grad", "zh": "没有 grad"},
    "nobody": {"en": "no other variable", "zh": "不与其他变量共享"},
}
LANGS = ("en", "zh")


def say(key: str, lang: str, **facts: Any) -> str:
    return SENTENCES[key][lang].format(**facts)


def both(key: str, **facts: Any) -> dict[str, str]:
    return {lang: say(key, lang, **facts) for lang in LANGS}


def mismatch_text(
    mismatch: Mismatch, subject: dict[str, str], extra: dict[str, Any]
) -> dict[str, str]:
    """A comparison's mismatch as a sentence in each language; `subject` names the value."""
    out = {}
    for lang in LANGS:
        named = subject[lang]
        if mismatch.path:
            path = "".join(f"[{i}]" for i in mismatch.path)
            named = say("item", lang, path=path, subject=named)
        out[lang] = _mismatch(mismatch, lang, named, extra)
    return out


def _mismatch(mismatch: Mismatch, lang: str, subject: str, extra: dict[str, Any]) -> str:
    facts = {**mismatch.facts, **extra, "subject": subject}
    key = mismatch.key
    if key == "values":
        first_off = ""
        if "first_off_by" in facts:
            first_off = say("first_off", lang, off=facts["first_off_by"])
        largest = ""
        if "largest_off_by" in facts and facts["count"] > 1:
            largest = say("largest", lang, off=facts["largest_off_by"], at=facts["largest_at"])
        text = say("values", lang, **{**facts, "first_off": first_off, "largest": largest})
        if facts.get("nan_mismatch"):
            text += say("nan_mismatch", lang)
        return text
    if key == "not_equal":
        off = say("not_equal_off", lang, off=facts["off_by"]) if "off_by" in facts else ""
        return say("not_equal", lang, **{**facts, "off": off})
    if key == "raised":
        return say("call_raised", lang, **facts)
    if key in SENTENCES:
        return say(key, lang, **facts)
    return say("reference_unusable", lang)


def fact_value(key: str, value: Any, lang: str) -> str:
    """A TensorInfo fact as the check states it (`grad_shape: null` is "no grad")."""
    if key == "grad_shape" and value is None:
        return say("no_grad", lang)
    if key == "shares_storage_with" and not value:
        return say("nobody", lang)
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)
