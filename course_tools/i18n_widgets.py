"""The interactive figures' texts in the Chinese edition.

A pre-rendered figure (:mod:`course_lib.figures.prerender`) is a code
cell's output, identical in both editions, but every text a reader sees in
it is marked: its control labels, choice labels, read-outs and image
descriptions. This module collects those texts from the executed chapters
into one catalogue, ``locale/zh_CN/LC_MESSAGES/widgets.po``, and, as a
Sphinx extension, rewrites them from it in a non-English build.

    python -m course_tools.i18n_widgets extract   # update widgets.po
    python -m course_tools.i18n_widgets status [--strict]

The rewriting is a read-time transform over the outputs' raw HTML: the
translated page is stored in the Chinese edition's own environment, and the
catalogue is recorded as a dependency of the chapters with figures, so
editing it re-reads exactly those. Every rewrite is verified (only the
marked texts change, each into its own translation) before it is kept.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course_lib.figures.prerender import view_alt

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
LANGUAGE = "zh_CN"
CATALOGUE = ROOT / "locale" / LANGUAGE / "LC_MESSAGES" / "widgets.po"
#: Outside ``_build/gettext``, which ``sphinx-intl update`` walks.
TEMPLATE = BUILD / "gettext-widgets" / "widgets.pot"
WIDTH = 76
HEADER_COMMENT = """\
# The texts of the book's interactive figures, from the executed chapters
# (python -m course_tools.i18n_widgets extract).
# This file is distributed under the same license as the Training Neural
# Networks, from Scratch package.
#"""

#: A figure's outer element with all its texts (JSON, HTML-escaped).
_ROOT = re.compile(r'<div\b[^<>]*?\sdata-course-texts="(?P<texts>[^"]*)"[^<>]*>')
#: An element showing one text whole (``prerender._text``).
_TEXT = re.compile(
    r"<(?P<tag>[a-z]+)(?P<attrs>[^<>]*?) data-course-text>(?P<text>[^<]*)</(?P=tag)>")
#: The image, whose ``alt`` describes the view named by ``data-view``.
_IMAGE = re.compile(r'<img\b[^<>]*?\sdata-view="(?P<view>[^"]*)"[^<>]*>')
_ALT = re.compile(r'(?<=\salt=")[^"]*(?=")')

Translate = Callable[[str], "str | None"]


# --- the marked texts of an output ------------------------------------------


def _segments(markup: str) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """(start, end, texts) of each figure: from its outer element to the
    next figure's (figures do not nest)."""
    roots = list(_ROOT.finditer(markup))
    for i, match in enumerate(roots):
        end = roots[i + 1].start() if i + 1 < len(roots) else len(markup)
        yield match.start(), end, json.loads(html.unescape(match.group("texts")))


def figure_texts(markup: str) -> list[dict[str, Any]]:
    """The texts (``data-course-texts``) of every figure in ``markup``."""
    return [texts for _, _, texts in _segments(markup)]


def text_messages(texts: dict[str, Any]) -> list[tuple[str, str]]:
    """(text, what it is) of one figure, in reading order."""
    found = []
    for label, choices in zip(texts["controls"], texts["choices"], strict=True):
        found.append((label, "the label of a control"))
        found.extend((c, f"a choice of the control {label!r}") for c in choices)
    if texts.get("alts") is not None:
        found.extend((a, "the description of one picture")
                     for a in texts["alts"].values())
    else:
        found.append((texts["alt"], "a picture's description, per control: "
                      "keep {control} and {choice}"))
        found.append((texts["join"], "joins those parts of the description"))
    return found


def _map_texts(texts: dict[str, Any], fn: Callable[[str], str]) -> dict[str, Any]:
    out = dict(texts)
    out["controls"] = [fn(c) for c in texts["controls"]]
    out["choices"] = [[fn(c) for c in row] for row in texts["choices"]]
    if texts.get("alts") is not None:
        out["alts"] = {k: fn(v) for k, v in texts["alts"].items()}
    else:
        out["alt"], out["join"] = fn(texts["alt"]), fn(texts["join"])
    return out


def _encode(texts: dict[str, Any]) -> str:
    """As ``prerender`` writes the attribute."""
    return html.escape(json.dumps(texts, ensure_ascii=False, separators=(",", ":")))


def rewrite(markup: str, translate: Translate) -> tuple[str, list[str]]:
    """``markup`` with every marked text of its figures translated:
    (the new markup, the texts ``translate`` has no translation for, which
    stay English). Nothing outside the marked texts changes."""
    missing: list[str] = []

    def fn(text: str) -> str:
        new = translate(text)
        if new is None:
            missing.append(text)
            return text
        return new

    out, last = [], 0
    for start, end, texts in _segments(markup):
        out.append(markup[last:start])
        out.append(_rewrite_figure(markup[start:end], _map_texts(texts, fn), fn))
        last = end
    out.append(markup[last:])
    return "".join(out), sorted(set(missing))


def _splice(match: re.Match[str], group: str, new: str) -> str:
    """The text of ``match`` with ``group`` replaced by ``new``."""
    whole, at = match.group(0), match.start(group) - match.start()
    return whole[:at] + new + whole[at + len(match.group(group)):]


def _rewrite_figure(part: str, texts: dict[str, Any],
                    fn: Callable[[str], str]) -> str:
    """One figure's markup with its texts ``texts`` (translated already)
    and the texts of its elements passed through ``fn``."""
    part = _ROOT.sub(lambda m: _splice(m, "texts", _encode(texts)), part, count=1)
    part = _TEXT.sub(lambda m: _splice(
        m, "text", html.escape(fn(html.unescape(m.group("text"))))), part)
    return _IMAGE.sub(lambda m: _ALT.sub(
        lambda _: html.escape(view_alt(texts, m.group("view"))), m.group(0),
        count=1), part)


def _frame(markup: str) -> str:
    """``markup`` with every marked text blanked."""
    markup = _ROOT.sub(lambda m: _splice(m, "texts", ""), markup)
    markup = _TEXT.sub(lambda m: _splice(m, "text", ""), markup)
    return _IMAGE.sub(lambda m: _ALT.sub("", m.group(0), count=1), markup)


def verify(english: str, translated: str, translate: Translate) -> list[str]:
    """What is wrong with ``translated`` as the rewrite of ``english``
    (empty: nothing): anything changed outside the marked texts, or a marked
    text that is not its own translation (the English where there is none)."""
    def fn(text: str) -> str:
        new = translate(text)
        return text if new is None else new

    problems = []
    frame_en, frame_zh = _frame(english), _frame(translated)
    if frame_en != frame_zh:
        at = next((i for i, (a, b) in enumerate(zip(frame_en, frame_zh, strict=False))
                   if a != b), min(len(frame_en), len(frame_zh)))
        problems.append("the markup outside the marked texts changed: "
                        f"{frame_zh[max(0, at - 40):at + 40]!r}")
        return problems
    for (s_en, e_en, en), (s_zh, e_zh, zh) in zip(
            _segments(english), _segments(translated), strict=True):
        expected = _map_texts(en, fn)
        if zh != expected:
            problems.append(f"data-course-texts is {zh}, expected {expected}")
        shown = [(html.unescape(a.group("text")), html.unescape(b.group("text")))
                 for a, b in zip(_TEXT.finditer(english[s_en:e_en]),
                                 _TEXT.finditer(translated[s_zh:e_zh]), strict=True)]
        problems.extend(f"{a!r} is shown as {b!r}, expected {fn(a)!r}"
                        for a, b in shown if b != fn(a))
        for image in _IMAGE.finditer(translated[s_zh:e_zh]):
            alt = _ALT.search(image.group(0))
            want = view_alt(expected, image.group("view"))
            if alt is None or html.unescape(alt.group(0)) != want:
                problems.append(f"the picture's description is "
                                f"{alt and html.unescape(alt.group(0))!r}, "
                                f"expected {want!r}")
    return problems


# --- the catalogue ----------------------------------------------------------


@dataclass
class Entry:
    """Where a text occurs (``#:``) and what it is (``#.``)."""

    locations: list[tuple[str, int | None]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


def _html(output: dict[str, Any]) -> str:
    data = output.get("data", {}).get("text/html", "")
    return "".join(data) if isinstance(data, list) else str(data)


def _cell_line(source_text: str, cell_source: str) -> int | None:
    at = source_text.find(cell_source) if cell_source.strip() else -1
    return source_text.count("\n", 0, at) + 1 if at >= 0 else None


def collect_notebook(nb: Any, document: str, source_text: str = "",
                     entries: dict[str, Entry] | None = None) -> dict[str, Entry]:
    """Add the marked texts of the figures in ``nb``'s outputs to
    ``entries`` (text -> :class:`Entry`)."""
    entries = {} if entries is None else entries
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        line = _cell_line(source_text, "".join(cell.get("source", "")))
        for output in cell.get("outputs", []):
            for texts in figure_texts(_html(output)):
                for text, what in text_messages(texts):
                    entry = entries.setdefault(text, Entry())
                    if (document, line) not in entry.locations:
                        entry.locations.append((document, line))
                    if what not in entry.comments:
                        entry.comments.append(what)
    return entries


def collect(cache: Path) -> tuple[dict[str, Entry], list[str]]:
    """(text -> :class:`Entry`, the documents with figures) over the
    chapters whose execution in ``cache`` is that of their current source."""
    from jupyter_cache import get_cache

    entries: dict[str, Entry] = {}
    documents: list[str] = []
    if not (cache / "global.db").exists():
        return entries, documents
    jc = get_cache(str(cache))
    for record in sorted(jc.list_project_records(), key=lambda r: r.uri):
        path = Path(record.uri)
        try:
            document = path.relative_to(ROOT).as_posix()
        except ValueError:
            continue
        cached = jc.get_cached_project_nb(record.uri)
        if cached is None:
            continue
        before = sum(len(e.locations) for e in entries.values())
        source = path.read_text(encoding="utf-8") if path.exists() else ""
        # read the file itself: get_cache_bundle would write to the cache
        nb = json.loads(jc._get_notebook_path_cache(cached.hashkey).read_text(
            encoding="utf-8"))
        collect_notebook(nb, document, source, entries)
        if sum(len(e.locations) for e in entries.values()) > before:
            documents.append(document)
    return entries, documents


def template(entries: dict[str, Entry]) -> Any:
    """The catalogue template (``.pot``) of ``entries``."""
    from babel.messages.catalog import Catalog

    from course_tools.i18n import yaml_title

    catalog = Catalog(project=yaml_title() or None, charset="utf-8", fuzzy=True,
                      header_comment=HEADER_COMMENT)
    # the header of the book's catalogues (Sphinx's templates)
    catalog.version = catalog.msgid_bugs_address = ""
    catalog.last_translator = catalog.language_team = ""
    for text, entry in entries.items():
        locations: Any = entry.locations  # babel writes a None line as none
        catalog.add(text, "", locations=locations,
                    auto_comments=entry.comments)
    return catalog


def _signature(catalog: Any) -> list[tuple[Any, ...]]:
    # as sphinx-intl, the obsolete entries do not count (an update drops
    # those of the previous one)
    return [(m.id, m.string, sorted(m.flags), m.locations, " ".join(m.auto_comments))
            for m in catalog if m.id]


def update(po: Path, pot: Any) -> tuple[str, int]:
    """Bring ``po`` up to date with the template ``pot`` as
    ``sphinx-intl update`` does (new texts empty, changed ones fuzzy, gone
    ones obsolete); texts with nothing to translate (numbers, symbols) are
    copied. Returns (what happened, how many were copied)."""
    from babel.messages.pofile import read_po, write_po

    from course_tools.i18n import nothing_to_translate

    if po.exists():
        with po.open("rb") as handle:
            catalog = read_po(handle, abort_invalid=True)
        before = _signature(catalog)
        catalog.update(pot)
        status = "updated"
    else:
        catalog, before, status = pot, None, "created"
        catalog.locale = LANGUAGE
    copied = 0
    for message in catalog:
        if isinstance(message.id, str) and message.id and nothing_to_translate(
                message.id) and (not message.string or message.fuzzy):
            message.string = message.id
            message.flags.discard("fuzzy")
            copied += 1
    if before is not None and _signature(catalog) == before:
        return "unchanged", copied
    po.parent.mkdir(parents=True, exist_ok=True)
    with po.open("wb") as handle:
        write_po(handle, catalog, width=WIDTH)
    return status, copied


def translations(po: Path) -> dict[str, str]:
    """English -> Chinese for every translated, confirmed (not fuzzy) text."""
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle, abort_invalid=True)
    return {m.id: m.string for m in catalog
            if isinstance(m.id, str) and m.id and isinstance(m.string, str)
            and m.string and not m.fuzzy}


def placeholder_problems(msgid: str, msgstr: str) -> list[str]:
    """A description pattern's translation keeps each placeholder once."""
    return [f"{msgid!r}: the translation must keep {p} once"
            for p in ("{control}", "{choice}")
            if msgstr and p in msgid and msgstr.count(p) != 1]


# --- the commands -----------------------------------------------------------


def extract(cache: Path, po: Path = CATALOGUE, pot_path: Path = TEMPLATE) -> int:
    entries, documents = collect(cache)
    if not entries:
        print(f"i18n_widgets extract: no executed chapter in {cache} shows a "
              "marked figure; run `make book` first.", file=sys.stderr)
        return 1
    from babel.messages.pofile import write_po

    pot = template(entries)
    pot_path.parent.mkdir(parents=True, exist_ok=True)
    with pot_path.open("wb") as handle:
        write_po(handle, pot, width=WIDTH)
    status, copied = update(po, template(entries))
    print(f"{_shown(po)}: {status}; {len(entries)} texts of the figures in "
          f"{', '.join(documents)}" + (
              f"; {copied} with nothing to translate copied" if copied else ""))
    return 0


def _shown(path: Path) -> str:
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


@dataclass
class Status:
    messages: int
    translated: int
    fuzzy: list[str]
    untranslated: list[str]
    absent: list[str]          # untranslated because not in the catalogue
    obsolete: int
    problems: list[str]


def catalogue_status(po: Path, current: Iterable[str] | None) -> Status:
    """Count ``po`` against the texts ``current`` of the executed figures
    (None: the catalogue's own messages)."""
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle, abort_invalid=True)
    known = {m.id: m for m in catalog if isinstance(m.id, str) and m.id}
    ids = list(known) if current is None else list(dict.fromkeys(current))
    fuzzy, untranslated, absent, problems = [], [], [], []
    for text in ids:
        message = known.get(text)
        if message is None:
            absent.append(text)
        elif message.fuzzy:
            fuzzy.append(text)
        elif not message.string:
            untranslated.append(text)
        else:
            problems.extend(placeholder_problems(text, str(message.string)))
    gone = sum(1 for text in known if text not in ids) + len(catalog.obsolete)
    done = len(ids) - len(fuzzy) - len(untranslated) - len(absent)
    return Status(len(ids), done, fuzzy, untranslated + absent, absent, gone,
                  problems)


def status(cache: Path, strict: bool, po: Path = CATALOGUE) -> int:
    if not po.exists():
        print(f"i18n_widgets status: {_shown(po)} is missing; run "
              "`python -m course_tools.i18n_widgets extract`.", file=sys.stderr)
        return 2
    entries, documents = collect(cache)
    if not entries:
        print(f"i18n_widgets status: no executed chapter in {cache} shows a "
              "marked figure (run `make book`); counting the catalogue alone.",
              file=sys.stderr)
        if strict:
            return 2
    row = catalogue_status(po, list(entries) if entries else None)
    print(f"{_shown(po)}" + (f" (figures of {', '.join(documents)})"
                             if documents else "")
          + f": {row.messages} texts, {row.translated} translated, "
          f"{len(row.fuzzy)} fuzzy, {len(row.untranslated)} untranslated"
          + (f" ({len(row.absent)} not in the catalogue: run extract)"
             if row.absent else "") + f", {row.obsolete} obsolete")
    for text in row.fuzzy:
        print(f"  fuzzy: {text!r}")
    for text in row.untranslated:
        print(f"  untranslated: {text!r}")
    for problem in row.problems:
        print(f"  problem: {problem}")
    if row.problems:
        return 1
    if strict and (row.fuzzy or row.untranslated):
        print("i18n_widgets status --strict: the figures have untranslated or "
              "fuzzy texts.", file=sys.stderr)
        return 1
    return 0


# --- the Sphinx extension ---------------------------------------------------

_LOADED: dict[Path, tuple[float, dict[str, str]]] = {}


def _translations_cached(po: Path) -> dict[str, str]:
    mtime = po.stat().st_mtime
    if po not in _LOADED or _LOADED[po][0] != mtime:
        _LOADED[po] = (mtime, translations(po))
    return _LOADED[po][1]


def find_catalogue(srcdir: str | Path, locale_dirs: Iterable[str],
                   language: str) -> Path | None:
    """``widgets.po`` of ``language`` in the first of ``locale_dirs``
    (relative to ``srcdir``) that has one."""
    for folder in locale_dirs:
        po = Path(srcdir) / folder / language / "LC_MESSAGES" / "widgets.po"
        if po.exists():
            return po
    return None


def setup(app: Any) -> dict[str, Any]:
    """In a non-English build, translate the figures' texts in the
    outputs' raw HTML; in the English build, do nothing."""
    from docutils import nodes
    from sphinx.transforms import SphinxTransform
    from sphinx.util import logging

    logger = logging.getLogger(__name__)

    class TranslateFigureTexts(SphinxTransform):
        default_priority = 800

        def apply(self, **kwargs: Any) -> None:
            language = self.config.language
            if not language or language == "en":
                return
            outputs = [node for node in self.document.findall(nodes.raw)
                       if "html" in node.get("format", "").split()
                       and "data-course-texts" in node.astext()]
            if not outputs:
                return
            po = find_catalogue(self.env.srcdir, self.config.locale_dirs, language)
            if po is None:
                return
            self.env.note_dependency(str(po))
            table = _translations_cached(po)
            missing: set[str] = set()
            for node in outputs:
                english = node.astext()
                new, lacking = rewrite(english, table.get)
                problems = verify(english, new, table.get)
                if problems:
                    logger.warning("a figure's texts could not be translated "
                                   "safely: %s", "; ".join(problems[:3]),
                                   location=node)
                    continue
                node.replace(node[0], nodes.Text(new))
                missing.update(lacking)
            if missing:
                logger.info("%s: %d figure texts have no translation in %s: %s",
                            self.env.docname, len(missing), po.name,
                            ", ".join(sorted(missing)))

    app.add_transform(TranslateFigureTexts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# --- command line ---------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.i18n_widgets",
        description=(__doc__ or "").split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("extract",
                        help="update widgets.po from the executed chapters")
    p_status = commands.add_parser("status",
                                   help="the figures' texts left to translate")
    p_status.add_argument("--strict", action="store_true",
                          help="exit 1 if any text is untranslated or fuzzy")
    for sub in commands.choices.values():
        sub.add_argument("--cache", type=Path, default=BUILD / ".jupyter_cache",
                         help="the execution cache (default: make book's)")
    args = parser.parse_args(argv)
    if args.command == "extract":
        return extract(args.cache.resolve())
    return status(args.cache.resolve(), args.strict)


if __name__ == "__main__":
    sys.exit(main())
