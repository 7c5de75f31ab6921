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
