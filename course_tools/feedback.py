"""Per-student feedback HTML and the instructor's autograded notebook.

Feedback shows the student's own cells and, for every test, only its
visible part, whether it passed, and why it failed (the exception's
message). Hidden test code and tracebacks, which quote it, are never
shown; canaries are not shown either.
"""

from __future__ import annotations

import html
import json
import shutil
from importlib import metadata
from pathlib import Path
from typing import Any

import mistune
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from .execute import Outcome

# Markdown as the student saw it; raw HTML in a cell (the student may have
# written it) is escaped, never passed through. Math ($...$, $$...$$) is
# kept verbatim for MathJax, so TeX such as \, survives.
_mistune = mistune.create_markdown(
    escape=True, plugins=["table", "strikethrough", "math"])
MATHJAX_DIR = "_static/mathjax"  # under the feedback folder
# MathJax typesets only the math the Markdown renderer marked, so a dollar
# sign in code or output stays text.
MATHJAX_CONFIG = (
    "window.MathJax={tex:{inlineMath:[['\\\\(','\\\\)']],"
    "displayMath:[['\\\\[','\\\\]']]},options:{ignoreHtmlClass:"
    "'page',processHtmlClass:'math'}};")


def _markdown(text: str) -> str:
    out = str(_mistune(text))
    return out.replace('<div class="math">$$\n', '<div class="math">\\[') \
        .replace('\n$$</div>', '\\]</div>')


def book_mathjax() -> Path | None:
    """The book's offline MathJax (sphinx-mathjax-offline), if installed."""
    try:
        dist = metadata.distribution("sphinx-mathjax-offline")
    except metadata.PackageNotFoundError:
        return None
    path = Path(str(dist.locate_file("sphinx-mathjax-offline/static/mathjax")))
    return path if (path / "tex-chtml.js").is_file() else None


def install_mathjax(feedback_dir: Path) -> bool:
    """Copy the book's MathJax (the CHTML bundle and its fonts) next to the
    feedback pages; False when it is not installed."""
    src = book_mathjax()
    if src is None:
        return False
    dest = Path(feedback_dir) / MATHJAX_DIR
    fonts = Path("output", "chtml", "fonts", "woff-v2")
    (dest / fonts).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src / "tex-chtml.js", dest / "tex-chtml.js")
    shutil.copytree(src / fonts, dest / fonts, dirs_exist_ok=True)
    return True

CSS = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#222}pre{background:#f6f8fa;padding:.6rem;overflow-x:auto;
white-space:pre-wrap}.pass{border-left:6px solid #2a7}.fail{border-left:6px
solid #c33}.manual{border-left:6px solid #c90}.cell{margin:1rem 0;padding-left:
.6rem}.out{background:#fff;border:1px solid #ddd}h1 small{color:#666}
.md{line-height:1.45}.md code{background:#f6f8fa;padding:0 .2rem}"""


def _outputs_text(run) -> str:
    parts = [str(o.get("text", "")) for o in run.outputs]
    return "".join(parts)[:4000]


def feedback_html(student: str, assignment: str, notebook: str,
                  outcome: Outcome, total: float, max_score: float,
                  notes: list[str]) -> str:
    esc = html.escape
    # feedback/<student>/<assignment>/<notebook>.html -> feedback/_static
    mathjax = f"../../{MATHJAX_DIR}/tex-chtml.js"
    out = [f"<!doctype html><meta charset='utf-8'><title>{esc(assignment)}"
           f" — {esc(student)}</title><style>{CSS}</style>"
           f"<script>{MATHJAX_CONFIG}</script>"
           f"<script defer src='{mathjax}'></script><body class='page'>",
           f"<h1>{esc(assignment)} <small>{esc(notebook)}</small></h1>",
           f"<p>Student <b>{esc(student)}</b>: <b>{total:g} / "
           f"{max_score:g}</b> points from automatic checks.</p>"]
    for note in notes:
        out.append(f"<p><i>{esc(note)}</i></p>")
    for cell, run in zip(outcome.cells, outcome.runs, strict=False):
        if cell.kind == "canary":
            continue
        if cell.cell_type == "markdown":
            if cell.kind == "written":
                got = outcome.scores.get(cell.grade_id, (None, 0))[0]
                state = "graded by hand" if got is None else \
                    f"{got:g} / {cell.points:g} (no answer)"
                out.append(f"<div class='cell manual'><b>Written answer "
                           f"({esc(state)})</b><div class='md'>"
                           f"{_markdown(cell.source)}</div></div>")
            else:
                out.append(f"<div class='cell md'>{_markdown(cell.source)}</div>")
            continue
        if cell.kind == "test":
            got, mx = outcome.scores[cell.grade_id]
            ok = got == mx
            if run.checks is not None:
                why = "\n".join(r.reason for r in run.checks
                                if not r.passed)
            else:
                why = "" if ok else (run.reason or
                                     f"{run.ename}: {run.evalue}".strip(": "))
            out.append(
                f"<div class='cell {'pass' if ok else 'fail'}'><b>Check "
                f"{esc(cell.grade_id or '')}: {'passed' if ok else 'failed'} "
                f"({got:g} / {mx:g})</b><pre>{esc(cell.visible)}</pre>"
                + (f"<pre class='out'>{esc(why[:3000])}</pre>" if why else "")
                + "</div>")
            continue
        text = _outputs_text(run)
        err = run.reason or (f"{run.ename}: {run.evalue}" if run.status ==
                             "error" else "")
        out.append(f"<div class='cell'><pre>{esc(cell.source)}</pre>"
                   + (f"<pre class='out'>{esc(text)}</pre>" if text else "")
                   + (f"<pre class='out'>{esc(err[:3000])}</pre>" if err
                      else "") + "</div>")
    return "\n".join(out)


def autograded_notebook(outcome: Outcome) -> dict:
    """An nbformat-4 notebook of the run, with all outputs (instructors)."""
    cells: list[dict[str, Any]] = []
    for cell, run in zip(outcome.cells, outcome.runs, strict=False):
        if cell.cell_type == "markdown":
            cells.append({"cell_type": "markdown", "metadata": {},
                          "source": cell.source})
            continue
        outputs = []
        for o in run.outputs:
            if o.get("type") == "stream":
                outputs.append({"output_type": "stream", "name": o.get(
                    "name", "stdout"), "text": str(o.get("text", ""))})
            elif o.get("type") in ("result", "display"):
                kind = "execute_result" if o["type"] == "result" else \
                    "display_data"
                item: dict[str, Any] = {"output_type": kind, "metadata": {},
                        "data": {"text/plain": str(o.get("text", ""))}}
                if kind == "execute_result":
                    item["execution_count"] = run.count
                outputs.append(item)
        if run.status in ("error", "failed"):
            outputs.append({"output_type": "error", "ename": run.ename or
                            "Error", "evalue": run.evalue or run.reason,
                            "traceback": run.traceback or [run.reason]})
        if run.checks is not None:
            outputs += _check_outputs(run.checks)
        meta: dict[str, Any] = {"grader": {"kind": cell.kind}}
        if cell.grade_id:
            meta["nbgrader"] = {"grade_id": cell.grade_id}
        cells.append({"cell_type": "code", "metadata": meta,
                      "source": cell.source, "outputs": outputs,
                      "execution_count": run.count})
    return {"nbformat": 4, "nbformat_minor": 5, "cells": cells,
            "metadata": {"kernelspec": {"name": "python3",
                                        "display_name": "Python 3",
                                        "language": "python"}}}


def _check_outputs(results) -> list[dict]:
    """The verdicts of a cell's hidden checks, as notebook outputs."""
    lines = [f"{'passed' if r.passed else 'FAILED'} {r.name} "
             f"({r.points if r.passed else 0:g} / {r.points:g})"
             + ("" if r.passed else f": {r.reason}") for r in results]
    out: list[dict[str, Any]] = [{"output_type": "stream", "name": "stdout",
            "text": "Hidden checks (decided by the grader):\n"
            + "\n".join(lines) + "\n"}]
    failed = [r for r in results if not r.passed]
    if failed:
        out.append({"output_type": "error", "ename": "CheckFailed",
                    "evalue": "; ".join(r.reason for r in failed),
                    "traceback": [r.reason for r in failed]})
    return out


def write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def strip_hidden(source: str) -> tuple[str, bool]:
    """``source`` without its hidden-test blocks (an unclosed block runs to
    the end); whether there were any."""
    kept, hidden, found = [], False, False
    for line in source.splitlines(keepends=True):
        if line.strip().startswith(HIDDEN_BEGIN):
            hidden = found = True
        elif hidden and line.strip().startswith(HIDDEN_END):
            hidden = False
        elif not hidden:
            kept.append(line)
    return "".join(kept), found


class StripHiddenTests(Preprocessor):
    """An nbconvert preprocessor for ``nbgrader generate_feedback``: no
    hidden-test block reaches a student's feedback, neither in a cell's
    source nor quoted by a traceback in its outputs (which are cut down to
    the exception's name and message).

    The course's engine already keeps hidden checks on the host; this holds
    for any notebook that still has hidden tests in its cells.
    """

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            source, found = strip_hidden(cell.source)
            if not found:
                continue
            cell.source = source
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    out["traceback"] = [f"{out.get('ename', 'Error')}: "
                                        f"{out.get('evalue', '')}"]
        return nb, resources
