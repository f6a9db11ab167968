"""The assignments in Chinese: catalogues of the notebooks' text, and the
Chinese student release.

The assignments' notebooks are not part of the Sphinx build, so their text
has a route of its own. Every Markdown cell of an instructor notebook
(``solutions/<name>/<nb>.ipynb``) is cut into *messages*: a paragraph, a
heading, a list item, a table cell. Code cells, display equations, fenced
code and the answer cells are never messages. One catalogue per assignment,
``locale/zh_CN/LC_MESSAGES/assignments/<name>.po``, holds their
translations, checked by the same rules as the book's
(:mod:`course_tools.i18n`).

The Chinese release, ``exercises-zh/<name>/<nb>.ipynb``, is the English one
(``exercises/``, nbgrader's output) with only the text of its Markdown cells
replaced: the same cells, ids, metadata, points, code and tests, under the
same file name, so a Chinese hand-in is validated, collected and graded as an
English one. Only the checksum nbgrader keeps of a translated Markdown cell
is computed anew (over the Chinese text), or nbgrader's *Validate* would
report the cell as changed.

    python -m course_tools.i18n_notebooks extract   # templates, then the .po files
    python -m course_tools.i18n_notebooks status [--strict] [NAME ...]
    python -m course_tools.i18n_notebooks check [NAME ...]
    python -m course_tools.i18n_notebooks release [--strict] [NAME ...]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import i18n
from .course import EXERCISES, ROOT, SOLUTIONS, assignments

#: The Chinese student release, beside ``exercises/``.
EXERCISES_ZH = ROOT / "exercises-zh"
#: Catalogues are documents ``assignments/<name>`` of the book's locale.
DOMAIN = "assignments"
POT_DIR = i18n.BUILD / "gettext" / DOMAIN

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^(#{1,6}[ \t]+)(.*?)[ \t]*$")
_ITEM = re.compile(r"^(\s*(?:[-*+]|\d{1,9}[.)])[ \t]+)(\S.*)$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


# --- cutting a Markdown cell into messages ---------------------------------


@dataclass(frozen=True)
class Block:
    """A piece of a Markdown cell: verbatim text (``msgid`` None) or one
    message, written back as ``lead`` + its text + ``tail``.
    ``indent`` starts each further line of a multi-line translation."""

    kind: str  # "verbatim", "heading", "paragraph", "item", "cell"
    raw: str
    msgid: str | None = None
    lead: str = ""
    tail: str = ""
    indent: str = ""

    def render(self, text: str | None) -> str:
        if self.msgid is None or text is None:
            return self.raw
        body = text.strip().replace("\n", "\n" + self.indent)
        return self.lead + body + self.tail


def _joined(lines: list[str]) -> str:
    """Lines of one paragraph as one line, as Markdown reads them."""
    return " ".join(line.strip() for line in lines)


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")):]


def _table_row(line: str) -> list[Block]:
    body, end = line.rstrip("\r\n"), _ending(line)
    if _TABLE_RULE.match(body):
        return [Block("verbatim", line)]
    blocks = []
    for part in re.split(r"(\|)", body):
        text = part.strip()
        if part == "|" or not text:
            blocks.append(Block("verbatim", part))
            continue
        start = part.index(text)
        blocks.append(Block("cell", part, text, part[:start],
                            part[start + len(text):]))
    if end:
        blocks.append(Block("verbatim", end))
    return blocks


def _starts_block(line: str) -> bool:
    """A line that ends the paragraph above it."""
    stripped = line.strip()
    return (not stripped or bool(_FENCE.match(line)) or stripped.startswith("$$")
            or bool(_HEADING.match(line)) or bool(_ITEM.match(line))
            or stripped.startswith("|"))


def blocks(source: str) -> list[Block]:
    """``source`` (a Markdown cell) as blocks whose ``raw`` texts join up to
    ``source`` again."""
    lines = source.splitlines(keepends=True)
    out: list[Block] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        fence = _FENCE.match(line)
        if fence:  # fenced code: up to the closing fence
            mark = fence.group(1)
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(mark):
                j += 1
            out.append(Block("verbatim", "".join(lines[i:j + 1])))
            i = j + 1
        elif stripped.startswith("$$"):  # display math: up to its closing $$
            j = i
            if stripped.count("$$") < 2:
                j = i + 1
                while j < len(lines) and "$$" not in lines[j]:
                    j += 1
            out.append(Block("verbatim", "".join(lines[i:j + 1])))
            i = j + 1
        elif not stripped:
            out.append(Block("verbatim", line))
            i += 1
        elif stripped.startswith("|"):
            out.extend(_table_row(line))
            i += 1
        elif (heading := _HEADING.match(line.rstrip("\r\n"))):
            out.append(Block("heading", line, heading.group(2), heading.group(1),
                             line[heading.end(2):]))
            i += 1
        else:
            item = _ITEM.match(line.rstrip("\r\n"))
            j = i + 1
            while j < len(lines) and not _starts_block(lines[j]):
                j += 1
            part = lines[i:j]
            tail = _ending(part[-1])
            if item:
                lead = item.group(1)
                text = _joined([item.group(2), *part[1:]])
                out.append(Block("item", "".join(part), text, lead, tail,
                                 " " * len(lead)))
            else:
                indent = line[:len(line) - len(line.lstrip())]
                out.append(Block("paragraph", "".join(part), _joined(part),
                                 indent, tail, indent))
            i = j
    return out


# --- notebooks -------------------------------------------------------------


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _nbgrader(cell: dict) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def translatable(cell: dict) -> bool:
    """A Markdown cell of instructions: not an answer cell (its text is the
    student's, and the release's placeholder stays as nbgrader wrote it)."""
    return cell.get("cell_type") == "markdown" and not _nbgrader(cell).get("solution")


@dataclass(frozen=True)
class Message:
    msgid: str
    notebook: str  # repository-relative path of the source notebook
    cell: str  # the cell's id
    number: int  # the message's place in its cell, from 1


def notebook_messages(path: Path) -> list[Message]:
    """The messages of one instructor notebook, in order."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    where = f"{SOLUTIONS.name}/{path.parent.name}/{path.name}"
    found = []
    for index, cell in enumerate(nb["cells"]):
        if not translatable(cell):
            continue
        cell_id = str(cell.get("id") or f"cell-{index}")
        ids = [b.msgid for b in blocks(_source(cell)) if b.msgid]
        found += [Message(m, where, cell_id, n) for n, m in enumerate(ids, start=1)]
    return found


def document(name: str) -> str:
    """The catalogue's document name of assignment ``name``."""
    return f"{DOMAIN}/{name}"


def catalogue_path(name: str, locale: Path = i18n.LOCALE) -> Path:
    return locale / i18n.LANGUAGE / "LC_MESSAGES" / DOMAIN / f"{name}.po"


# --- extract ---------------------------------------------------------------


def _catalog(name: str, locale: str | None) -> Any:
    from babel.messages.catalog import Catalog

    return Catalog(
        locale=locale, project=i18n.yaml_title() or "course", version=name,
        header_comment=(f"# The assignment {name} in Chinese: the text of its "
                        "notebooks' Markdown cells.\n# How to translate: "
                        "locale/README.md.\n#"),
        msgid_bugs_address="", last_translator="", language_team="",
        copyright_holder="", fuzzy=False)


def template(name: str, solutions: Path = SOLUTIONS) -> Any:
    """The catalogue template (a babel Catalog) of assignment ``name``."""
    catalog = _catalog(name, None)
    for path in sorted((solutions / name).glob("*.ipynb")):
        for m in notebook_messages(path):
            catalog.add(m.msgid, locations=[(f"{m.notebook}#{m.cell}", m.number)])
    return catalog


def _content(catalog: Any) -> list[tuple]:
    """What a catalogue says, its header dates left out."""
    def row(m: Any) -> tuple:
        return (m.id, m.string, sorted(m.flags), sorted(m.locations),
                m.previous_id)

    return ([row(m) for m in catalog if m.id]
            + [row(m) for m in catalog.obsolete.values()])


def _read(po: Path) -> Any:
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        return read_po(handle, abort_invalid=True)


def _write(po: Path, catalog: Any) -> None:
    from babel.messages.pofile import write_po

    po.parent.mkdir(parents=True, exist_ok=True)
    with po.open("wb") as handle:
        write_po(handle, catalog, width=76, sort_output=False)


def extract(names: list[str] | None = None, solutions: Path = SOLUTIONS,
            locale: Path = i18n.LOCALE, pot_dir: Path = POT_DIR) -> dict[str, str]:
    """Write each assignment's template to ``pot_dir`` and bring its
    catalogue up to date (translations kept, changed messages fuzzy);
    return name -> "created", "updated" or "unchanged"."""
    done = {}
    for a in assignments(solutions):
        if names is not None and a.name not in names:
            continue
        pot = template(a.name, solutions)
        _write(pot_dir / f"{a.name}.pot", pot)
        po_path = catalogue_path(a.name, locale)
        if po_path.exists():
            catalog = _read(po_path)
            before = _content(catalog)
            catalog.update(pot, update_header_comment=False)
            state = "updated"
        else:
            catalog = _catalog(a.name, i18n.LANGUAGE)
            catalog.update(pot)
            before, state = None, "created"
        if before is not None and _content(catalog) == before:
            done[a.name] = "unchanged"
        else:
            _write(po_path, catalog)
            done[a.name] = state
        i18n.fill_notation_only(po_path)
    return done


# --- translations ------------------------------------------------------------


def translations(name: str, locale: Path = i18n.LOCALE) -> dict[str, str]:
    """msgid -> translation of every translated, not fuzzy, message."""
    po = catalogue_path(name, locale)
    if not po.exists():
        return {}
    return {m.id: m.string for m in _read(po)
            if m.id and isinstance(m.string, str) and m.string and not m.fuzzy}


def translate_source(source: str, lookup: Callable[[str], str | None]
                     ) -> tuple[str, list[str]]:
    """``source`` with each message replaced by ``lookup(msgid)``; the
    messages it had no translation for stay in English and are returned."""
    parts, missing = [], []
    for block in blocks(source):
        text = lookup(block.msgid) if block.msgid else None
        if block.msgid and text is None:
            missing.append(block.msgid)
        parts.append(block.render(text))
    return "".join(parts), missing


def _checksum(cell: dict) -> str:
    from nbformat import from_dict
    from nbgrader.utils import compute_checksum

    return str(compute_checksum(from_dict({**cell, "source": _source(cell)})))


def translate_notebook(nb: dict, table: dict[str, str]) -> tuple[dict, list[str]]:
    """A copy of the released notebook ``nb`` with its instructions in the
    language of ``table`` (msgid -> translation), and the missing msgids."""
    import copy

    out = copy.deepcopy(nb)
    missing: list[str] = []
    for cell in out["cells"]:
        if not translatable(cell):
            continue
        text, lost = translate_source(_source(cell), table.get)
        missing += lost
        if text == _source(cell):
            continue
        cell["source"] = text.splitlines(keepends=True)
        meta = _nbgrader(cell)
        if "checksum" in meta:
            meta["checksum"] = _checksum(cell)
    return out, missing


class MissingTranslations(RuntimeError):
    """``--strict``: a message of a released notebook has no translation."""


def _dump(nb: dict) -> str:
    import nbformat

    text = str(nbformat.writes(nbformat.from_dict(nb)))
    return text if text.endswith("\n") else text + "\n"


def release(names: Iterable[str] | None = None, exercises: Path = EXERCISES,
            out: Path = EXERCISES_ZH, locale: Path = i18n.LOCALE,
            strict: bool = False) -> dict[str, list[str]]:
    """Write the Chinese release of each assignment: ``exercises/<name>``
    copied to ``out/<name>`` with its notebooks translated. Return name ->
    the messages left in English; with ``strict``, raise instead of writing
    anything when one is."""
    chosen = [a for a in assignments() if names is None or a.name in set(names)]
    pending: dict[str, dict[str, str]] = {}
    missing: dict[str, list[str]] = {}
    for a in chosen:
        table = translations(a.name, locale)
        pending[a.name] = {}
        missing[a.name] = []
        for path in sorted((exercises / a.name).glob("*.ipynb")):
            nb = json.loads(path.read_text(encoding="utf-8"))
            zh, lost = translate_notebook(nb, table)
            pending[a.name][path.name] = _dump(zh)
            missing[a.name] += [m for m in lost if m not in missing[a.name]]
    if strict and any(missing.values()):
        lines = [f"  {document(n)}: {len(m)} messages, e.g. {m[0][:60]!r}"
                 for n, m in missing.items() if m]
        raise MissingTranslations(
            "the Chinese release needs a translation of every message; "
            "untranslated or fuzzy:\n" + "\n".join(lines)
            + "\nTranslate them (locale/README.md) or release without --strict.")
    for a in chosen:
        target = out / a.name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(exercises / a.name, target,
                        ignore=shutil.ignore_patterns("*.ipynb"))
        for file_name, text in pending[a.name].items():
            (target / file_name).write_text(text, encoding="utf-8")
    return missing


def translated_sources(assignment: str, notebook: str,
                       releases: Iterable[Path] = (EXERCISES_ZH,)
                       ) -> dict[str, set[str]]:
    """grade_id -> the text of that Markdown cell in each translated release
    of ``assignment``/``notebook`` (what a hand-in in that language holds)."""
    found: dict[str, set[str]] = {}
    for folder in releases:
        path = folder / assignment / notebook
        if not path.exists():
            continue
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            gid = _nbgrader(cell).get("grade_id")
            if isinstance(gid, str) and cell.get("cell_type") == "markdown":
                found.setdefault(gid, set()).add(_source(cell))
    return found


# --- checks ------------------------------------------------------------------


def emphasis(text: str) -> tuple[int, int]:
    """(bold, italic) spans of ``text`` as CommonMark reads them. Next to
    Chinese, ``**`` only closes after a letter, or before a space or a
    punctuation mark: ``**时期（epoch）**恰好`` shows its asterisks."""
    from markdown_it import MarkdownIt

    strong = em = 0
    for token in MarkdownIt("commonmark").parseInline(text):
        for child in token.children or []:
            strong += child.type == "strong_open"
            em += child.type == "em_open"
    return strong, em


def check_structure(name: str, solutions: Path = SOLUTIONS,
                    locale: Path = i18n.LOCALE) -> list[str]:
    """A translated heading or table cell must stay on one line, a table
    cell must hold no ``|`` (either would break the cell's Markdown), and a
    translation must keep the English's bold and italic spans."""
    table = translations(name, locale)
    problems = []
    for path in sorted((solutions / name).glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if not translatable(cell):
                continue
            for b in blocks(_source(cell)):
                text = table.get(b.msgid) if b.msgid else None
                if text is None or b.msgid is None:
                    continue
                if emphasis(text) != emphasis(b.msgid):
                    problems.append(
                        f"{document(name)}.po: bold and italic spans (English "
                        f"{emphasis(b.msgid)}, translation {emphasis(text)}): put a "
                        "space outside a span that starts or ends with punctuation"
                        f"\n    msgid: {b.msgid[:67]!r}")
                if b.kind not in ("heading", "cell"):
                    continue
                if "\n" in text.strip():
                    problems.append(f"{document(name)}.po: a {b.kind} must stay on "
                                    f"one line\n    msgid: {b.msgid[:67]!r}")
                if b.kind == "cell" and re.search(r"(?<!\\)\|", text):
                    problems.append(f"{document(name)}.po: a table cell must not "
                                    f"hold '|'\n    msgid: {b.msgid[:67]!r}")
    return problems


def check(names: list[str], locale: Path = i18n.LOCALE,
          solutions: Path = SOLUTIONS) -> int:
    terms = i18n.glossary_terms()
    problems: list[str] = []
    for name in names:
        po = catalogue_path(name, locale)
        problems += [str(p) for p in i18n.check_catalogue(document(name), po, terms)]
        problems += check_structure(name, solutions, locale)
    for problem in problems:
        print(problem)
    print(f"i18n_notebooks check: {len(problems)} problems")
    return 1 if problems else 0


# --- command line ------------------------------------------------------------


def _names(given: list[str]) -> list[str] | None:
    known = [a.name for a in assignments()]
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise SystemExit(f"i18n_notebooks: NAME must be an assignment of "
                         f"solutions/ ({', '.join(known)}); got {unknown}.")
    return given or known


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.i18n_notebooks",
        description=__doc__.split("\n\n")[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    subs = {
        "extract": commands.add_parser(
            "extract", help=f"templates into {POT_DIR.relative_to(ROOT)}, then "
            "update the catalogues"),
        "status": commands.add_parser("status", help="translation progress"),
        "check": commands.add_parser("check", help="markup, glossary terms, copies"),
        "release": commands.add_parser(
            "release", help=f"write {EXERCISES_ZH.name}/ from exercises/"),
    }
    for sub in subs.values():
        sub.add_argument("names", nargs="*", metavar="NAME",
                         help="assignments, e.g. 01-foundations (default: all)")
    for key in ("status", "release"):
        subs[key].add_argument("--strict", action="store_true",
                               help="exit 1 if any message is untranslated or fuzzy")
    args = parser.parse_args(argv)
    names = _names(args.names)
    assert names is not None
    if args.command == "extract":
        for name, state in extract(names).items():
            print(f"{catalogue_path(name).relative_to(ROOT)}: {state}")
        return 0
    if args.command == "status":
        missing = [n for n in names if not catalogue_path(n).exists()]
        if missing:
            print(f"i18n_notebooks status: no catalogue for {missing}; run "
                  "`python -m course_tools.i18n_notebooks extract`.", file=sys.stderr)
            return 2
        return i18n.status([document(n) for n in names], args.strict)
    if args.command == "check":
        return check(names)
    start = time.perf_counter()
    try:
        missing_by_name = release(names, strict=args.strict)
    except MissingTranslations as exc:
        print(f"i18n_notebooks release --strict: {exc}", file=sys.stderr)
        return 1
    report_release(missing_by_name, time.perf_counter() - start)
    return 0


def report_release(missing: dict[str, list[str]], seconds: float) -> None:
    """One line per assignment released in Chinese."""
    for name, lost in missing.items():
        note = f" ({len(lost)} messages still in English)" if lost else ""
        print(f"released {name} in Chinese -> "
              f"{(EXERCISES_ZH / name).relative_to(ROOT)}{note}")
    print(f"Chinese release: {seconds:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
