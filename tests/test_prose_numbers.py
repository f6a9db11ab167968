"""Numbers in the chapters' prose come from the build.

A result an experiment prints (an accuracy, a loss, an epoch count) must
reach the text through MyST-NB's ``{glue:text}`` role, so that the prose
cannot drift from what the build computes. This test reads each chapter's
prose — text and tables, without code cells, inline code, math and glue
roles — and fails on any number that looks like a result (a decimal, a
percentage, scientific notation or a thousands-grouped integer) unless the
chapter's allow-list names it. The allow-lists in ``tests/prose_numbers/``
hold constants only: hyperparameters, sizes, seeds, dates and the source
books' published figures quoted as such, one per line with the reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = Path(__file__).resolve().parent / "prose_numbers"
CHAPTERS = sorted((ROOT / "book").glob("0*.md"))

NUMBER = re.compile(
    r"(?<![\w.\-/#])("
    r"\d{1,3}(?:,\d{3})+(?:\.\d+)?"          # 1,438 or 3,800.5
    r"|\d+(?:\.\d+)?\s?%"                    # 7 % or 8.9%
    r"|\d+(?:\.\d+)?[eE][-+−]?\d+"           # 1.39e-5
    r"|\d+\.\d+"                             # 0.983
    r")(?![\w])")

_STRIP = [
    (re.compile(r"\A---\n.*?\n---\n", re.S), ""),            # front matter
    (re.compile(r"^(`{3,}|~{3,}).*?^\1", re.S | re.M), ""),  # code cells, fences
    (re.compile(r"<!--.*?-->", re.S), ""),                   # HTML comments
    (re.compile(r"^%.*$", re.M), ""),                        # MyST comments
    (re.compile(r"\$\$.*?\$\$", re.S), ""),                  # display math
    (re.compile(r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}", re.S), ""),
    (re.compile(r"\{[\w:-]+\}`[^`]*`"), ""),                 # roles, incl. glue
    (re.compile(r"(?<!\\)\$[^$\n]+\$"), ""),                 # inline math
    (re.compile(r"`[^`\n]+`"), ""),                          # inline code
    (re.compile(r"\]\([^)\s]*\)"), "]"),                     # link targets
    (re.compile(r"^:[\w-]+:.*$", re.M), ""),                 # directive options
]


def prose(text: str) -> str:
    """The chapter's text as a reader sees it, minus code, math and glue
    (removed spans keep their line breaks, so line numbers stay true)."""
    for pattern, repl in _STRIP:
        text = pattern.sub(lambda m, r=repl: r + "\n" * m.group(0).count("\n"),
                           text)
    return text


def numbers_in(text: str) -> list[tuple[int, str]]:
    """(line number, number) for every result-like number in ``text``."""
    found = []
    for i, line in enumerate(prose(text).splitlines(), start=1):
        found.extend((i, m.group(1).replace(" ", "")) for m in NUMBER.finditer(line))
    return found


def allowed(chapter: Path) -> dict[str, str]:
    """The chapter's allow-list: number -> why it is a constant."""
    path = ALLOWED / f"{chapter.stem}.txt"
    if not path.exists():
        return {}
    entries = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        number, _, why = line.partition("#")
        if not why.strip():
            raise ValueError(f"{path.name}: {number.strip()!r} needs a reason "
                             "after '#'")
        entries[number.strip().replace(" ", "")] = why.strip()
    return entries


def test_the_scanner_sees_results_and_skips_code_and_glue():
    text = ("Momentum reached 97.8 % after 3,800 epochs (loss 1.39e-5).\n"
            "```{code-cell} ipython3\nlr = 0.01\n```\n"
            "The rate $\\eta = 0.5$ and `beta=0.9` give "
            "{glue:text}`acc:.3f`, which is 0.983.\n")
    assert [n for _, n in numbers_in(text)] == ["97.8%", "3,800", "1.39e-5",
                                                "0.983"]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_number_in_prose_is_glued_or_a_listed_constant(chapter):
    text = chapter.read_text(encoding="utf-8")
    ok = allowed(chapter)
    stray = [f"line {i}: {n}" for i, n in numbers_in(text) if n not in ok]
    assert not stray, (
        f"{chapter.name} states numbers that the build does not produce; glue "
        "them from the cell that computes them ({glue:text}`name:fmt`), or, "
        f"if they are constants, list them in tests/prose_numbers/"
        f"{chapter.stem}.txt with the reason:\n  " + "\n  ".join(stray))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_allow_lists_have_no_stale_entries(chapter):
    present = {n for _, n in numbers_in(chapter.read_text(encoding="utf-8"))}
    stale = sorted(set(allowed(chapter)) - present)
    assert not stale, (f"tests/prose_numbers/{chapter.stem}.txt lists numbers "
                       f"the chapter no longer states: {stale}")
