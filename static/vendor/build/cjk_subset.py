"""Cut Noto Sans SC down to the characters the page can show, so lab PCs without CJK fonts
still read Chinese: writes ../fonts/noto-sans-sc-{ui,text}.woff2 and ../noto-sans-sc.css.

Run after `npm ci` (the font comes from `@fontsource/noto-sans-sc`), with the project's venv
(fontTools, plus `brotli` for WOFF2: `pip install brotli`):

    .venv/bin/python static/vendor/build/cjk_subset.py

The characters are those of the UI strings, the lessons (code, titles, notices, questions,
seed titles), the explanation catalog, the inspectors' and the classroom's Chinese messages.
Two faces of one family, with disjoint `unicode-range`s: "ui" holds the few characters an
English page shows (the language switch, 中文), so an English page downloads about a kilobyte
of font, and "text" holds the rest, fetched only by a page that shows Chinese.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset

HERE = Path(__file__).resolve().parent
VENDOR = HERE.parent
ROOT = VENDOR.parents[1]
SOURCE = (HERE / "node_modules/@fontsource/noto-sans-sc/files"
          / "noto-sans-sc-chinese-simplified-400-normal.woff")  # fmt: skip
FAMILY = "Noto Sans SC Subset"
UI_TEXT = "中文"
SOURCES = [
    "templates/**/*.html", "templates/*.json", "snippets/*/*.py", "snippets/**/*.toml",
    "app/explain/*.json", "app/inspect/*.py", "app/classroom/*.py",
]  # fmt: skip


def is_cjk(char: str) -> bool:
    code = ord(char)
    return (0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFE30 <= code <= 0xFE4F
            or 0xFF00 <= code <= 0xFFEF)  # fmt: skip


def used_characters() -> set[str]:
    found: set[str] = set()
    for pattern in SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            found |= {c for c in path.read_text(encoding="utf-8") if is_cjk(c)}
    return found


def ranges(chars: set[str]) -> str:
    """`U+4E2D,U+6587-6589`: the characters as a CSS unicode-range."""
    codes = sorted(ord(c) for c in chars)
    parts: list[str] = []
    start = prev = codes[0]
    for code in [*codes[1:], None]:
        if code is not None and code == prev + 1:
            prev = code
            continue
        parts.append(f"U+{start:X}" if start == prev else f"U+{start:X}-{prev:X}")
        if code is not None:
            start = prev = code
    return ",".join(parts)


def cut(chars: set[str], out: Path) -> int:
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]  # keep the copyright and licence records (OFL)
    font = subset.load_font(str(SOURCE), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(chars)))
    subsetter.subset(font)
    out.parent.mkdir(exist_ok=True)
    subset.save_font(font, str(out), options)
    return out.stat().st_size


def main() -> None:
    chars = used_characters()
    ui = {c for c in UI_TEXT}
    text = chars - ui
    faces = []
    for name, group in (("text", text), ("ui", ui)):
        out = VENDOR / "fonts" / f"noto-sans-sc-{name}.woff2"
        size = cut(group, out)
        print(f"{out.name}: {len(group)} characters, {size / 1024:.1f} KiB", file=sys.stderr)
        faces.append(
            "@font-face {\n"
            f'  font-family: "{FAMILY}";\n  font-style: normal;\n  font-weight: 400;\n'
            f'  font-display: swap;\n  src: url("fonts/{out.name}") format("woff2");\n'
            f"  unicode-range: {ranges(group)};\n}}\n"
        )
    header = (f"/* {FAMILY}: Noto Sans SC (SIL OFL 1.1, licenses/fontsource__noto-sans-sc.txt)"
              " cut by build/cjk_subset.py to the characters the page shows. */\n")  # fmt: skip
    (VENDOR / "noto-sans-sc.css").write_text(header + "\n".join(faces))


if __name__ == "__main__":
    main()
