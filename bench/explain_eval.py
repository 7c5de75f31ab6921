"""The explainer scored on errors that real people reported (corpus: bench/explain_corpus.py).

Each case reproduces one public report (a GitHub issue of pytorch, its examples or
tutorials, Lightning, a course repository, or a forum / Q&A thread; its URL is kept with it)
as a small snippet that raises the same error under the installed torch. It names what the
thread found to be the *real* cause, as `expect = "<entry id>/<cause id>"` (or just the
entry where the entry has one reading), and `decided`: whether this snippet's own facts (its
shapes, layers, frames, values) are enough to tell that cause from the entry's others.

The scoring rule, written down before any explanation of the corpus was looked at:
    right   the explanation is the expected entry, and
              - its cause is the expected cause, or
              - the case is not `decided` and the expected cause is among the candidates
                the explanation lists (it named the candidates, none confidently);
    wrong   an explanation is given and it is not right: another entry, another cause, or
            only candidates where the snippet's facts decide (generic where the context
            decides); a wrong fix is worse than none;
    missed  no explanation.
Where an explanation carries a concrete edit, the edited snippet is run again (in process,
same seed): `edits ran` counts those that raised nothing, and an edit of a wrong answer
counts against nothing but is shown.

Each snippet runs through the real runner (`run_snippet_here`: module-call recorder,
operands, library frames), not a copy of it.

    .venv/bin/python bench/explain_eval.py            # the table and the figures
    .venv/bin/python bench/explain_eval.py --only 12  # one case, with its explanation
Exits 1 if any answer is wrong.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.explain.edits import apply_edit
from app.sandbox.runner import run_snippet_here
from bench.explain_corpus import CASES, Case

TIMEOUT_S = 20.0


def run(code: str) -> dict[str, Any]:
    return run_snippet_here(code, trace=False, timeout_s=TIMEOUT_S)


def verdict(case: Case, explanation: dict[str, Any] | None) -> str:
    """The rule of the module docstring, applied."""
    if explanation is None:
        return "missed"
    entry, _, cause = case.expect.partition("/")
    if explanation["id"] != entry:
        return "wrong"
    if not cause or explanation.get("cause") == cause:
        return "right"
    if not case.decided and explanation.get("cause") is None:
        return "right" if cause in explanation.get("candidates", []) else "wrong"
    return "wrong"


def evaluate(case: Case) -> dict[str, Any]:
    code = case.code.strip("\n") + "\n"
    report = run(code)
    error = report["error"]
    explanation = None if error is None else error.get("explanation")
    row: dict[str, Any] = {
        "error": "no error" if error is None else f"{error['type']}: {error['message']}",
        "explanation": explanation,
        "verdict": "no error" if error is None else verdict(case, explanation),
        "edit_ran": None,
    }
    edit = (explanation or {}).get("edit")
    if edit:
        fixed = apply_edit(code, edit)
        row["edit_ran"] = fixed is not None and run(fixed)["error"] is None
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", type=int, help="run one case (1-based) and show its answer")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    chosen = list(enumerate(CASES, 1))
    if args.only:
        chosen = [chosen[args.only - 1]]
    tally = {"right": 0, "wrong": 0, "missed": 0, "no error": 0}
    edits = ran = 0
    started = time.perf_counter()
    print(f"{'#':>3}  {'expected':<44} {'got':<44} verdict  edit")
    for number, case in chosen:
        row = evaluate(case)
        tally[row["verdict"]] += 1
        got = row["explanation"]
        label = "-" if got is None else got["id"] + (f"/{got['cause']}" if got.get("cause") else "")
        if row["edit_ran"] is not None:
            edits += 1
            ran += bool(row["edit_ran"])
        mark = {None: "", True: "ran", False: "FAILS"}[row["edit_ran"]]
        print(f"{number:>3}  {case.expect:<44} {label:<44} {row['verdict']:<8} {mark}")
        if args.only:
            print(row["error"].splitlines()[0][:300])
            for key in ("title", "why", "fix", "candidates", "edit"):
                print(f"  {key}: {None if got is None else got.get(key)}")
    total = len(chosen)
    print()
    for name, count in tally.items():
        if count or name != "no error":
            print(f"{name:<8} {count:>3} / {total}  ({100 * count / total:.1f}%)")
    print(f"edits offered {edits}, ran {ran}")
    print(f"{total} cases in {time.perf_counter() - started:.1f} s")
    return 1 if tally["wrong"] or tally["no error"] else 0


if __name__ == "__main__":
    sys.exit(main())
