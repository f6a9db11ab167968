"""The instructor's grade report: one self-contained HTML page.

Score distribution per assignment, pass rate of every graded cell, the
integrity flags, and the slowest notebooks. Plots are PNGs drawn with
matplotlib (Agg) and embedded as data URIs.
"""

from __future__ import annotations

import base64
import html
import io
from collections import defaultdict
from pathlib import Path

CSS = """body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;
padding:0 1rem;color:#222}table{border-collapse:collapse;margin:1rem 0}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;
vertical-align:top}.warn{color:#a00;font-weight:bold}img{max-width:100%}"""


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _distribution(results) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by_assignment = defaultdict(list)
    for r in results:
        if r.status == "graded" and r.max_score:
            by_assignment[r.assignment].append(100 * r.score / r.max_score)
    if not by_assignment:
        return ""
    fig, ax = plt.subplots(figsize=(7, 3.2))
    names = sorted(by_assignment)
    ax.hist([by_assignment[n] for n in names], bins=10, range=(0, 100),
            label=names)
    ax.set_xlabel("score (% of the automatic maximum)")
    ax.set_ylabel("students")
    ax.legend(fontsize=7)
    ax.set_title("Score distribution")
    src = _png(fig)
    plt.close(fig)
    return f"<img alt='score distribution' src='{src}'>"


def _pass_rates(results) -> tuple[str, list]:
    import matplotlib.pyplot as plt

    counts: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in results:
        if r.status != "graded":
            continue
        for cell, (score, mx) in r.cells.items():
            if score is None:
                continue
            key = f"{r.assignment}:{cell}"
            counts[key][0] += score == mx
            counts[key][1] += 1
    rows = sorted((k, v[0] / v[1], v[1]) for k, v in counts.items() if v[1])
    if not rows:
        return "", rows
    fig, ax = plt.subplots(figsize=(7, 0.28 * len(rows) + 1))
    ax.barh([r[0] for r in rows], [100 * r[1] for r in rows], color="#48a")
    ax.set_xlim(0, 100)
    ax.invert_yaxis()
    ax.set_xlabel("students with full marks (%)")
    ax.tick_params(axis="y", labelsize=7)
    ax.set_title("Pass rate per graded cell")
    src = _png(fig)
    plt.close(fig)
    return f"<img alt='pass rate per cell' src='{src}'>", rows


def write_report(path: Path, results, isolation: str) -> None:
    esc = html.escape
    results = sorted(results, key=lambda r: (r.student, r.assignment))
    status: defaultdict[str, int] = defaultdict(int)
    for r in results:
        status[r.status] += 1
    parts = [f"<!doctype html><meta charset='utf-8'><title>Grade report"
             f"</title><style>{CSS}</style><h1>Grade report</h1>"]
    cls = " class='warn'" if isolation.startswith("NOT") else ""
    parts.append(f"<p{cls}>Sandbox: {esc(isolation)}</p>")
    parts.append("<p>" + ", ".join(f"{n} {esc(s)}" for s, n in
                                   sorted(status.items())) + "</p>")
    parts.append(_distribution(results))
    img, rows = _pass_rates(results)
    parts.append(img)
    if rows:
        parts.append("<table><tr><th>cell</th><th>full marks</th><th>graded"
                     "</th></tr>" + "".join(
                         f"<tr><td>{esc(k)}</td><td>{100 * p:.0f}%</td>"
                         f"<td>{n}</td></tr>" for k, p, n in rows)
                     + "</table>")
    parts.append("<h2>Integrity</h2><table><tr><th>student</th><th>"
                 "assignment</th><th>status</th><th>findings</th></tr>")
    for r in results:
        findings = []
        for key in ("canaries", "tamper", "course_imports", "restored",
                    "stripped", "notes"):
            items = r.integrity.get(key, [])
            if items:
                findings.append(f"<b>{key}</b>: " + esc("; ".join(items[:6])))
        if r.flagged or findings:
            flag = " (flagged)" if r.flagged and r.status != "flagged" else ""
            parts.append(f"<tr><td>{esc(r.student)}</td><td>"
                         f"{esc(r.assignment)}</td><td>{esc(r.status)}{flag}"
                         "</td><td>"
                         + "<br>".join(findings) + "</td></tr>")
    parts.append("</table><h2>Slowest notebooks</h2><table><tr><th>student"
                 "</th><th>assignment</th><th>seconds</th></tr>")
    for r in sorted(results, key=lambda r: -r.seconds)[:10]:
        if r.seconds:
            parts.append(f"<tr><td>{esc(r.student)}</td><td>"
                         f"{esc(r.assignment)}</td><td>{r.seconds:.1f}</td>"
                         "</tr>")
    parts.append("</table><h2>Not graded</h2><table><tr><th>student</th>"
                 "<th>assignment</th><th>status</th><th>reason</th></tr>")
    for r in results:
        if r.status in ("missing", "invalid", "error"):
            parts.append(f"<tr><td>{esc(r.student)}</td><td>"
                         f"{esc(r.assignment)}</td><td>{esc(r.status)}</td>"
                         f"<td>{esc(r.reason)}</td></tr>")
    parts.append("</table>")
    path.write_text("\n".join(parts), encoding="utf-8")
