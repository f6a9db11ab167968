"""The Chinese edition (中文版): message catalogues and the bilingual build.

Both editions are built from the same sources with Sphinx's gettext
machinery: every paragraph, heading, table cell and caption of the English
book is a message; translations live in one ``.po`` file per document under
``locale/zh_CN/LC_MESSAGES/`` (see ``locale/README.md``). Code cells, their
outputs and figures are not messages: both editions show the very same
executed notebooks, taken from one execution cache.

    python -m course_tools.i18n extract   # .pot files, then update the .po files
    python -m course_tools.i18n status [--strict] [DOC ...]
    python -m course_tools.i18n check [DOC ...]   # what a translation must keep
    python -m course_tools.i18n build     # English at the root, Chinese in zh/
    python -m course_tools.i18n font      # the Chinese edition's web font
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import io
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
LOCALE = ROOT / "locale"
LANGUAGE = "zh_CN"
#: The Chinese edition's folder inside the English one.
ZH_DIR = "zh"
EXT = ROOT / "book" / "_ext"
#: The Chinese edition's web font: the shipped subset of Noto Sans CJK SC
#: grown by every character of the translations (``font`` makes it).
ZH_FONT = LOCALE / LANGUAGE / "fonts" / "course-cjk.woff2"
FONT_NAME = "course-cjk.woff2"

ZH_SEARCH_TEXT = "搜索本书……"

EXECUTING = "Executing notebook"
FROM_CACHE = "Using cached notebook"


# --- the Sphinx builds ----------------------------------------------------


def _book_config() -> tuple[Path, Path]:
    return ROOT / "_config.yml", ROOT / "_toc.yml"


def sphinx_overrides(language: str | None, cache: Path) -> dict[str, Any]:
    """Configuration on top of ``_config.yml`` for one edition (``language``
    None is the English one) or for the gettext builder."""
    from jupyter_book.config import get_final_config

    config, toc = _book_config()
    final, _ = get_final_config(user_yaml=config, cli_config={
        "latex_individualpages": False}, sourcedir=ROOT)
    extensions = list(final["extensions"])
    for name in ("language_switch", "course_tools.i18n", "course_tools.i18n_widgets"):
        if name not in extensions:
            extensions.append(name)
    overrides: dict[str, Any] = {
        "external_toc_path": toc.as_posix(),
        "latex_individualpages": False,
        "extensions": extensions,
        "nb_execution_cache_path": str(cache),
        # One catalogue per document, so translators never share a file.
        "gettext_compact": False,
        "gettext_uuid": False,
        "gettext_last_translator": "",
        "gettext_language_team": "",
        "locale_dirs": [str(LOCALE)],
    }
    if language:
        overrides["language"] = language
        title = translated_title(final.get("html_title", ""))
        if title:
            overrides["html_title"] = title
        # Jupyter Book sets the search box's text as a theme option, which
        # no catalogue translates.
        overrides["html_theme_options"] = {"search_bar_text": ZH_SEARCH_TEXT}
        if language == LANGUAGE:
            overrides["html_search_options"] = {"dict": str(search_dictionary())}
    return overrides


def search_words(terms: list[Term]) -> list[str]:
    """The glossary's Chinese terms as search words: every run of two or
    more Chinese characters of every Chinese form (``He 初始化器`` gives
    ``初始化器``), once each, in the glossary's order."""
    words: dict[str, None] = {}
    for term in terms:
        for form in term.chinese:
            for run in re.findall(r"[\u4e00-\u9fff]{2,}", form):
                words[run] = None
    return list(words)


def search_dictionary(folder: Path = BUILD / "i18n") -> Path:
    """A jieba user dictionary of the glossary's Chinese terms, which the
    Chinese search index keeps whole (``批量归一化``, not only ``批量`` and
    ``归一化``). Its name carries a digest of its words: a changed
    glossary changes the configuration, so Sphinx indexes every page anew."""
    text = "".join(f"{word}\n" for word in search_words(glossary_terms()))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    path = folder / f"search-dict-{digest}.txt"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path


def yaml_title() -> str:
    import yaml

    config, _ = _book_config()
    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    return str(data.get("title", ""))


def translated_title(title: str) -> str:
    """The book's title as the root document's catalogue translates it."""
    from babel.messages.pofile import read_po

    po = catalogues().get("book/index")
    if not title or po is None:
        return ""
    with po.open("rb") as handle:
        message = read_po(handle).get(title)
    if message is None or message.fuzzy or not isinstance(message.string, str):
        return ""
    return message.string


class _CountingStream(io.TextIOBase):
    """Sphinx's status output, passed on to ``sink`` (or dropped) while
    counting the notebooks executed and those taken from the cache."""

    def __init__(self, sink: TextIO | None) -> None:
        self.sink = sink
        self.executed: list[str] = []
        self.cached = 0

    def write(self, text: str) -> int:
        for line in text.splitlines():
            if EXECUTING in line:
                self.executed.append(line.split(":")[0].strip())
            elif FROM_CACHE in line:
                self.cached += 1
        if self.sink is not None:
            self.sink.write(text)
        return len(text)


@dataclass
class BuildResult:
    status: int
    seconds: float
    executed: list[str]
    cached: int


def run_sphinx(builder: str, outdir: Path, doctrees: Path, language: str | None,
               cache: Path, verbose: bool = False,
               extra: dict[str, Any] | None = None) -> BuildResult:
    """One Sphinx build of the whole book, in this process."""
    from jupyter_book.sphinx import build_sphinx

    config, _ = _book_config()
    overrides = {**sphinx_overrides(language, cache), **(extra or {})}
    stream = _CountingStream(sys.stdout if verbose else None)
    start = time.perf_counter()
    with _book_environment(), contextlib.redirect_stdout(stream):
        result = build_sphinx(
            ROOT, outdir, noconfig=True, path_config=str(config),
            confoverrides=overrides, doctreedir=doctrees, builder=builder,
            warningiserror=True, keep_going=True)
    seconds = time.perf_counter() - start
    status = result if isinstance(result, int) else 1
    return BuildResult(status, seconds, stream.executed, stream.cached)


@contextlib.contextmanager
def _book_environment() -> Iterator[None]:
    """The environment ``make book`` gives the chapters' kernels."""
    saved = dict(os.environ)
    os.environ["COURSE_LIB_PROGRESS"] = "0"
    os.environ.pop("MPLBACKEND", None)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _report(label: str, result: BuildResult) -> None:
    executed = len(result.executed)
    print(f"{label}: {result.seconds:.1f} s; notebooks executed: {executed}, "
          f"taken from the execution cache: {result.cached}")
    for path in result.executed:
        print(f"  executed {path}")


# --- extract --------------------------------------------------------------


def extract(build: Path, cache: Path, verbose: bool = False) -> int:
    """Write the .pot templates to ``build/gettext`` and bring every
    ``.po`` file of ``locale/`` up to date with them."""
    from sphinx_intl import basic

    pot_dir = build / "gettext"
    title = yaml_title()
    # The templates' header names the book (Sphinx's ``project``, which the
    # HTML editions leave to Jupyter Book).
    result = run_sphinx("gettext", pot_dir, build / ".doctrees-gettext", None,
                        cache, verbose, extra={"project": title} if title else None)
    _report("gettext", result)
    if result.status != 0:
        print("i18n extract: the gettext build failed (see above).",
              file=sys.stderr)
        return result.status
    _root_relative_locations(pot_dir)
    counts = basic.update(str(LOCALE), str(pot_dir), (LANGUAGE,), jobs=1)
    print(f"locale/{LANGUAGE}: {counts['create']} catalogues created, "
          f"{counts['update']} updated, {counts['notchanged']} unchanged")
    from course_tools import i18n_notebooks, i18n_widgets

    if i18n_widgets.extract(cache) != 0:
        return 1
    done = i18n_notebooks.extract()
    print(f"assignments: {sum(v != 'unchanged' for v in done.values())} of "
          f"{len(done)} catalogues changed")
    filled = sum(fill_notation_only(po) for po in catalogues().values())
    if filled:
        print(f"{filled} messages with nothing to translate (only math, code, "
              "numbers, links or Chinese) copied as they are")
    return 0


def nothing_to_translate(msgid: str) -> bool:
    """A message of math, code, numbers, link targets or Chinese only."""
    return english_words(msgid) == 0


def fill_notation_only(po: Path) -> int:
    """Copy every message with nothing to translate into its translation
    (also when sphinx-intl marked an earlier copy fuzzy); return how many."""
    from babel.messages.pofile import read_po, write_po

    with po.open("rb") as handle:
        catalog = read_po(handle, abort_invalid=True)
    changed = 0
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue
        if nothing_to_translate(message.id) and (
                not message.string or message.fuzzy):
            if message.string != message.id or message.fuzzy:
                message.string = message.id
                message.flags.discard("fuzzy")
                changed += 1
    if changed:
        with po.open("wb") as handle:
            write_po(handle, catalog, width=76)
    return changed


def _root_relative_locations(pot_dir: Path) -> None:
    """Write the templates' ``#: ../../book/x.md:12`` locations relative to
    the repository (``#: book/x.md:12``), whatever the build folder (Sphinx
    writes them relative to its output folder)."""

    def fix(match: re.Match[str]) -> str:
        paths = []
        for ref in match.group(1).split():
            path, _, line = ref.partition(":")
            if "/" in path:  # not a docstring's dotted name
                full = (pot_dir / path).resolve()
                with contextlib.suppress(ValueError):
                    path = full.relative_to(ROOT).as_posix()
            paths.append(f"{path}:{line}" if line else path)
        return "#: " + " ".join(paths)

    for pot in pot_dir.rglob("*.pot"):
        text = pot.read_text(encoding="utf-8")
        new = re.sub(r"^#: (.*)$", fix, text, flags=re.M)
        if new != text:
            pot.write_text(new, encoding="utf-8")


# --- status ---------------------------------------------------------------


@dataclass
class DocStatus:
    document: str
    messages: int
    translated: int
    fuzzy: int
    untranslated: int
    obsolete: int

    @property
    def complete(self) -> bool:
        return self.fuzzy == 0 and self.untranslated == 0


def catalogues(locale: Path = LOCALE, language: str = LANGUAGE) -> dict[str, Path]:
    """Document name (``book/index``) -> its ``.po`` file."""
    base = locale / language / "LC_MESSAGES"
    return {po.relative_to(base).with_suffix("").as_posix(): po
            for po in sorted(base.rglob("*.po"))}


def incomplete_messages(locale: Path = LOCALE) -> list[tuple[str, int, str]]:
    """(document, line, English) of every untranslated or fuzzy message of
    the catalogues, in order."""
    from babel.messages.pofile import read_po

    found = []
    for document, po in catalogues(locale).items():
        with open(po, "rb") as fh:
            catalog = read_po(fh)
        for message in catalog:
            if message.id and (not message.string or message.fuzzy):
                found.append((document, message.lineno or 0, str(message.id)))
    return found


def document_status(document: str, po: Path) -> DocStatus:
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle, abort_invalid=True)
    messages = [m for m in catalog if m.id]
    fuzzy = sum(1 for m in messages if m.fuzzy)
    untranslated = sum(1 for m in messages if not m.fuzzy and not m.string)
    return DocStatus(document, len(messages), len(messages) - fuzzy - untranslated,
                     fuzzy, untranslated, len(catalog.obsolete))


def status(documents: list[str], strict: bool, locale: Path = LOCALE) -> int:
    found = catalogues(locale)
    if not found:
        print(f"i18n status: no catalogues in {locale / LANGUAGE / 'LC_MESSAGES'}; "
              "run `python -m course_tools.i18n extract` first.", file=sys.stderr)
        return 2
    unknown = [d for d in documents if d not in found]
    if unknown:
        print(f"i18n status: 'documents' must name catalogued documents "
              f"(e.g. book/index); got {unknown}.", file=sys.stderr)
        return 2
    rows = [document_status(d, found[d]) for d in (documents or list(found))]
    width = max(len(r.document) for r in rows)
    header = (f"{'document':<{width}}  messages  translated  fuzzy  "
              "untranslated  obsolete")
    print(header)
    for r in rows:
        print(f"{r.document:<{width}}  {r.messages:8d}  {r.translated:10d}  "
              f"{r.fuzzy:5d}  {r.untranslated:12d}  {r.obsolete:8d}")
    total = sum(r.messages for r in rows)
    done = sum(r.translated for r in rows)
    print(f"{'total':<{width}}  {total:8d}  {done:10d}  "
          f"{sum(r.fuzzy for r in rows):5d}  "
          f"{sum(r.untranslated for r in rows):12d}  "
          f"{sum(r.obsolete for r in rows):8d}")
    if strict:
        incomplete = [r.document for r in rows if not r.complete]
        if incomplete:
            print(f"i18n status --strict: {len(incomplete)} documents have "
                  f"untranslated or fuzzy messages: {', '.join(incomplete)}",
                  file=sys.stderr)
            return 1
    return 0


# --- checks on translations ----------------------------------------------

GLOSSARY = ROOT / "book" / "appendix" / "glossary.md"
GLOSSARY_DOC = "book/appendix/glossary"

#: Markup a translation must carry over unchanged, in the order it is
#: looked for (each match is blanked before the next pattern runs).
_ROLE = re.compile(
    r"(?<![\w`]){(?P<name>[A-Za-z][\w:.+-]*)}(?P<tick>`+)(?P<body>.+?)(?P=tick)")
_RST_ROLE = re.compile(
    r"(?<![\w`]):(?P<name>[A-Za-z][\w:.+-]*):(?P<tick>`+)(?P<body>.+?)(?P=tick)")
_DIRECTIVE = re.compile(r"(?:`{3,}|:{3,}){(?P<name>[\w:.+-]+)}")
_DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?=\S)(?:\\.|[^$\\])+?(?<=\S)\$(?!\$)")
_SUBSTITUTION = re.compile(r"{{\s*[\w.-]+\s*}}|(?<![\w|])\|[\w -]+\|(?![\w|])")
_MD_LINK = re.compile(r"\]\((?P<target>[^()\s]+(?:\([^()\s]*\))?)(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<(?:https?|mailto|ftp):[^>\s]+>")
_RST_LINK = re.compile(r"<(?P<target>[^<>`\s]+)>`__?")
_CODE = re.compile(r"(?P<tick>`+)(?P<body>[^`]|[^`].*?[^`])(?P=tick)(?!`)")
_TITLED = re.compile(r"^(?P<title>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
#: Roles whose text a translator translates, keeping the target.
_TEXT_ROLES = {"doc", "ref", "numref", "term", "download", "eq", "any",
               "py:class", "py:func", "py:meth", "py:mod", "py:obj",
               "class", "func", "meth", "mod", "obj", "attr", "exc", "data"}


def _scan(msgid: str) -> tuple[list[str], str]:
    """(the markup a translation must keep, the prose around it): roles (or
    their name and ``<target>`` when they carry a title, whose title stays
    prose), directive names, math, substitutions, link targets and inline
    code."""
    text = msgid
    found: list[str] = []

    def take(pattern: re.Pattern[str], pieces: Any) -> None:
        nonlocal text
        out = []
        last = 0
        for match in pattern.finditer(text):
            kept, prose = pieces(match)
            found.extend(kept)
            blank = " " * len(match.group(0))
            if prose:  # a role's title: translated, so it is prose
                at = match.group(0).index(prose)
                blank = blank[:at] + prose + blank[at + len(prose):]
            out.append(text[last:match.start()] + blank)
            last = match.end()
        text = "".join(out) + text[last:]

    def whole(match: re.Match[str]) -> tuple[list[str], str]:
        return [match.group(0)], ""

    def role(match: re.Match[str]) -> tuple[list[str], str]:
        full, name, body = match.group(0), match.group("name"), match.group("body")
        titled = _TITLED.match(body)
        if name in _TEXT_ROLES or titled and name.endswith(("doc", "ref")):
            tick = match.group("tick")
            opener = full[:full.index(tick) + len(tick)]
            if titled:
                return [opener, f"<{titled.group('target')}>"], titled.group("title")
            # an untitled cross-reference shows a name: kept, or given a title
            return [opener], ""
        return [full], ""

    take(_DIRECTIVE, whole)
    # a reST role's body may hold braces and a backtick (:math:`x^{p}`)
    take(_RST_ROLE, role)
    take(_ROLE, role)
    take(_DISPLAY_MATH, whole)
    take(_CODE, whole)
    take(_INLINE_MATH, whole)
    take(_SUBSTITUTION, whole)
    take(_AUTOLINK, whole)
    take(_MD_LINK, lambda m: ([f"]({m.group('target')}"], ""))
    take(_RST_LINK, lambda m: ([f"<{m.group('target')}>"], ""))
    return found, text


def preserved_markup(msgid: str) -> list[str]:
    """The pieces of ``msgid`` that must appear unchanged in a translation
    (see :func:`_scan`)."""
    return _scan(msgid)[0]


def prose(msgid: str) -> str:
    """``msgid`` with its markup blanked out, titles of links kept."""
    return _scan(msgid)[1]


@dataclass(frozen=True)
class Term:
    """One glossary row: the English forms to look for and the Chinese
    forms a translation may use (the first is the preferred one)."""

    english: tuple[str, ...]
    chinese: tuple[str, ...]


def _split_chinese(cell: str) -> list[str]:
    cell = cell.replace("†", "")
    cell = re.sub(r"`[^`]*`", "", cell)
    forms: list[str] = []
    main = re.split(r"[（(]", cell, maxsplit=1)[0]
    # "约束：最大范数约束、单位范数、非负": the term, then its kinds.
    forms.append(main.split("：", 1)[0])
    for inner in re.findall(r"[（(]([^）)]*)[）)]", cell):
        forms.extend(re.split(r"[、，,]", inner))
    cleaned = []
    for form in forms:
        form = form.strip(" “”\"：:")
        if form and form not in cleaned:
            cleaned.append(form)
    return cleaned


def _english_forms(term: str) -> list[str]:
    forms = []
    inner = re.search(r"^(?P<head>.*?)\s*\((?P<inner>[^)]*)\)\s*(?P<tail>.*)$", term)
    if inner is None:
        forms.append(term)
    else:
        head, word, tail = inner.group("head", "inner", "tail")
        forms.append(f"{head} {tail}".strip())
        if tail and " " not in word and "," not in word:
            forms.append(f"{word} {tail}")
        elif not tail and re.fullmatch(r"[A-Z]{2,}", word):
            forms.append(word)
    return [f for f in forms if f]


def glossary_terms(path: Path = GLOSSARY) -> list[Term]:
    """The glossary's table as terms, English -> Chinese."""
    terms: list[Term] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not line.startswith("|") or set(cells[0]) <= {"-", " "}:
            continue
        english, chinese = cells[0], cells[1]
        if english == "Term":
            continue
        if " / " in english and " / " in chinese:
            # "global / local minimum" | "全局最小值 / 局部极小值（局部最小值）"
            first, rest = english.split(" / ", 1)
            noun = rest.split(" ", 1)[1] if " " in rest else ""
            zh_first, zh_rest = chinese.split(" / ", 1)
            terms.append(Term((f"{first} {noun}".strip(),),
                              tuple(_split_chinese(zh_first))))
            terms.append(Term((rest,), tuple(_split_chinese(zh_rest))))
            continue
        terms.append(Term(tuple(_english_forms(english)),
                          tuple(_split_chinese(chinese))))
    return terms


def glossary_english_cells(path: Path = GLOSSARY) -> set[str]:
    """The glossary's English column (below its header), which the
    translation keeps."""
    cells = set()
    body = False
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(parts) < 2:
            body = False
        elif set(parts[0]) <= {"-", " ", ":"}:
            body = True
        elif body:
            cells.add(parts[0])
    return cells


def _term_pattern(form: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in re.split(r"[\s-]+", form) if w]
    body = r"[\s-]+".join(words)
    return re.compile(rf"(?<![\w-]){body}(?:s|es)?(?![\w-])", re.I)


def terms_in(msgid: str, terms: list[Term]) -> list[Term]:
    """Glossary terms that occur in the prose of ``msgid`` (not in its code,
    math or link targets); a longer term hides the shorter ones inside it."""
    text = prose(msgid)
    forms = sorted(((f, t) for t in terms for f in t.english), key=lambda x: -len(x[0]))
    found: list[Term] = []
    for form, term in forms:
        pattern = _term_pattern(form)
        hit = False
        for match in pattern.finditer(text):
            hit = True
            text = text[:match.start()] + " " * (match.end() - match.start()) \
                + text[match.end():]
        if hit and term not in found:
            found.append(term)
    return found


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def english_words(msgid: str) -> int:
    """Words of English prose in ``msgid``, markup left out."""
    return len(re.findall(r"[A-Za-z]{2,}", prose(msgid)))


#: A copy of an English message this long is an untranslated message.
COPY_WORDS = 4


_GLUE_TEXT = re.compile(r"^{glue:text}`(?P<name>[\w.-]+)(?P<fmt>:[^`]*)?`$")


def _chinese_twin(piece: str) -> str | None:
    """A glued phrase's Chinese twin: ``{glue:text}`name_zh``` may stand for
    ``{glue:text}`name``` (a sentence the code writes in both languages)."""
    match = _GLUE_TEXT.match(piece)
    if not match:
        return None
    return f"{{glue:text}}`{match.group('name')}_zh{match.group('fmt') or ''}`"


def check_message(msgid: str, msgstr: str, terms: list[Term],
                  keep_english: bool = False) -> list[str]:
    """What is wrong with one translation (empty: nothing)."""
    if not msgstr:
        return []
    problems = []
    remaining = msgstr
    for piece in preserved_markup(msgid):
        twin = _chinese_twin(piece)
        if piece in remaining:
            remaining = remaining.replace(piece, "\0", 1)
        elif twin and twin in remaining:
            remaining = remaining.replace(twin, "\0", 1)
        else:
            problems.append(f"markup {piece!r} of the English is missing or changed")
    if keep_english:
        return problems
    for term in terms_in(msgid, terms):
        if not any(zh in msgstr for zh in term.chinese):
            problems.append(
                f"glossary: {term.english[0]!r} must be rendered as "
                f"{term.chinese[0]!r}" + (
                    f" (or {', '.join(repr(c) for c in term.chinese[1:])})"
                    if len(term.chinese) > 1 else ""))
    if msgstr.strip() == msgid.strip() and not _CJK.search(msgid) \
            and english_words(msgid) >= COPY_WORDS:
        problems.append("the translation is a copy of the English text")
    return problems


# --- reST messages (docstrings) ---------------------------------------------

#: A location of a message written in reST: a docstring's dotted name
#: (``course_lib.optim.SGD``) or an API overview's module, not a book file.
_REST_LOCATION = re.compile(r"^[A-Za-z_]\w*(?:\.\w+)+$")
_ROLE_NAME = re.compile(r"(?<![\w`\\]):(?P<name>[A-Za-z][\w:.+-]*):`")
#: Sphinx's separators inside a type expression of a docstring's field
#: (``list of ndarray``, ``int or None``): each name between them is a
#: cross-reference (sphinx.domains.python's PyXrefMixin).
_TYPE_DELIMITERS = re.compile(
    r"(\s*[\[\]\(\),](?:\s*o[rf]\s)?\s*|\s+o[rf]\s+|\s*\|\s*|\.\.\.)")
_TYPE_NAME = re.compile(r"[A-Za-z_]\w*(?:\.\w+)*")


def is_rest_message(locations: Iterable[tuple[str, int | None]]) -> bool:
    """Whether a message with these ``.po`` locations was written in reST
    (a docstring or an API overview's link)."""
    return any(_REST_LOCATION.match(path) for path, _ in locations)


def _generic_role(name: str, rawtext: str, text: str, lineno: int, inliner: Any,
                  options: Any = None, content: Any = None
                  ) -> tuple[list[Any], list[Any]]:
    from docutils import nodes

    return [nodes.inline(rawtext, text, classes=["role", name])], []


def rest_parse(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Parse ``text`` as reST with docutils: (its warnings and errors, its
    inline markup as (kind, text) pairs, once per use; a role's kind is
    ``role:NAME``). Every role is accepted (as Sphinx registers its own),
    so only the markup itself can fail."""
    from docutils import nodes
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser, roles
    from docutils.utils import new_document

    settings = get_default_settings(Parser)
    settings.report_level = 5
    settings.halt_level = 5
    settings.warning_stream = io.StringIO()
    document = new_document("<message>", settings)
    messages: list[str] = []

    def observe(message: Any) -> None:
        if message["level"] >= 2:
            messages.append(message.children[0].astext() if message.children else "")

    document.reporter.attach_observer(observe)
    names = {m.group("name") for m in _ROLE_NAME.finditer(text)}
    saved = dict(roles._roles)
    try:
        for name in names:
            roles._roles[name] = _generic_role
        Parser().parse(text, document)
    finally:
        roles._roles.clear()
        roles._roles.update(saved)
    kinds = (nodes.inline, nodes.reference, nodes.footnote_reference,
             nodes.citation_reference, nodes.literal, nodes.emphasis, nodes.strong,
             nodes.title_reference)
    markup = []
    for node in document.findall(lambda node: isinstance(node, kinds)):
        if isinstance(node, nodes.inline):
            if node["classes"][:1] != ["role"]:
                continue
            kind = f"role:{node['classes'][1]}"
        else:
            kind = type(node).__name__
        markup.append((kind, node.astext()))
    return messages, markup


def type_expression(msgid: str) -> list[str] | None:
    """The names of ``msgid`` if it is a type expression of two names or
    more (``list of ndarray``, ``int or None``), each a cross-reference in
    a docstring's field; None otherwise."""
    parts = [p for p in _TYPE_DELIMITERS.split(msgid.strip()) if p]
    names = [p for p in parts if not _TYPE_DELIMITERS.fullmatch(p)]
    if len(names) < 2 or not all(_TYPE_NAME.fullmatch(n) for n in names):
        return None
    return names


def check_rest_message(msgid: str, msgstr: str) -> list[str]:
    """What Sphinx's reST parser will reject in the translation of a
    docstring's message and the English does not produce: docutils'
    warnings and errors (inline markup glued to a Chinese character, an
    unclosed literal), changed cross-references, a translated type
    expression (its names are cross-references)."""
    if not msgstr or msgstr == msgid:
        return []
    problems = []
    english, english_markup = rest_parse(msgid)
    translated, translated_markup = rest_parse(msgstr)
    for message in translated:
        if message in english:
            english.remove(message)
        else:
            problems.append(f"reST: {message}")
    # Code and math may be repeated, not lost nor made up (a literal glued to
    # a Chinese character swallows the text up to the next one); roles
    # (cross-references) keep their number, which Sphinx compares, and so do
    # emphasis and strong text; their text and roles' titles are translated.
    def notation(markup: list[tuple[str, str]]) -> set[tuple[str, str]]:
        return {m for m in markup if m[0] in ("literal", "role:math")}

    def xrefs(markup: list[tuple[str, str]]) -> list[str]:
        return sorted(kind for kind, _ in markup
                      if kind.startswith("role:") and kind != "role:math")

    lost = sorted(notation(english_markup) - notation(translated_markup))
    made = sorted(notation(translated_markup) - notation(english_markup))
    if lost or made:
        problems.append("reST: " + "; ".join(
            [f"{kind} {text!r} is lost" for kind, text in lost]
            + [f"{kind} {text!r} is not in the English" for kind, text in made]))
    def emphasis(markup: list[tuple[str, str]]) -> list[str]:
        return sorted(kind for kind, _ in markup if kind in ("emphasis", "strong"))

    if emphasis(english_markup) != emphasis(translated_markup):
        problems.append(f"reST: emphasis {emphasis(translated_markup)} differs from "
                        f"the English {emphasis(english_markup)} (``**`` glued to a "
                        "Chinese character stays literal: add ``\\ ``)")
    if xrefs(english_markup) != xrefs(translated_markup):
        problems.append(f"reST: cross-references {xrefs(translated_markup)} differ "
                        f"from the English {xrefs(english_markup)}")
    names = type_expression(msgid)
    if names is not None and type_expression(msgstr) != names:
        problems.append("reST: a type expression stays as written (each of its "
                        f"names {names} is a cross-reference)")
    return problems


@dataclass
class Problem:
    document: str
    line: int
    msgid: str
    problem: str

    def __str__(self) -> str:
        short = self.msgid if len(self.msgid) < 70 else self.msgid[:67] + "..."
        return f"{self.document}.po:{self.line}: {self.problem}\n    msgid: {short!r}"


def check_catalogue(document: str, po: Path, terms: list[Term],
                    keep: set[str] | None = None) -> list[Problem]:
    """Check every translated (and fuzzy) message of one ``.po`` file.
    ``keep``: messages that stay in English (the glossary's English column)."""
    from babel.messages.pofile import read_po

    if keep is None:
        keep = glossary_english_cells() if document == GLOSSARY_DOC else set()
    with po.open("rb") as handle:
        catalog = read_po(handle, abort_invalid=True)
    problems = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        msgstr = message.string if isinstance(message.string, str) \
            else message.string[0]
        line = message.lineno or 0
        rest = is_rest_message(message.locations)
        # A docstring's cell holding one name (a class of a table) is code.
        name = rest and _TYPE_NAME.fullmatch(msgid) is not None
        found = check_message(msgid, msgstr, terms, msgid in keep or name)
        if rest:
            found += check_rest_message(msgid, msgstr)
        for problem in found:
            problems.append(Problem(document, line, msgid, problem))
    return problems


def check(documents: list[str], locale: Path = LOCALE) -> int:
    found = catalogues(locale)
    unknown = [d for d in documents if d not in found]
    if unknown:
        print(f"i18n check: 'documents' must name catalogued documents "
              f"(e.g. book/index); got {unknown}.", file=sys.stderr)
        return 2
    terms = glossary_terms()
    problems = [p for d in (documents or list(found))
                for p in check_catalogue(d, found[d], terms)]
    for problem in problems:
        print(problem)
    missing = sorted(translated_characters(locale) - _font_characters())
    if missing:
        print(f"{ZH_FONT.relative_to(ROOT)} lacks {len(missing)} characters of the "
              f"translations ({''.join(missing[:40])}); run "
              "`python -m course_tools.i18n font`.")
    print(f"i18n check: {len(problems)} problems" + (
        f", {len(missing)} characters missing from the font" if missing else ""))
    return 1 if problems or missing else 0


def _font_characters() -> set[str]:
    if not ZH_FONT.exists():
        return set()
    from fontTools.ttLib import TTFont

    return {chr(c) for c in TTFont(str(ZH_FONT)).getBestCmap()}


# --- the Chinese edition's font ---------------------------------------------


def _load_ext(name: str) -> Any:
    """A module of ``book/_ext`` (not a package)."""
    spec = importlib.util.spec_from_file_location(name, EXT / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _font_maker() -> Any:
    return _load_ext("make_cjk_font")


def translated_characters(locale: Path = LOCALE) -> set[str]:
    """Every CJK character of the translations (msgstr only)."""
    from babel.messages.pofile import read_po

    maker = _font_maker()
    chars: set[str] = set()
    for po in catalogues(locale).values():
        with po.open("rb") as handle:
            for message in read_po(handle):
                if message.id and message.string:
                    text = message.string if isinstance(message.string, str) \
                        else "".join(message.string)
                    chars.update(c for c in text if maker.is_cjk(c))
    return chars


def zh_font_characters() -> set[str]:
    """What the Chinese edition's font must hold: the English book's CJK
    characters (the glossary's column) and those of the translations."""
    maker = _font_maker()
    switch = _load_ext("language_switch")
    labels = {c for row in switch.EDITIONS.values() for text in row for c in text
              if maker.is_cjk(c)}
    return (set(maker.cjk_characters()) | translated_characters() | labels
            | theme_characters())


def _theme_files() -> list[Path]:
    """The Chinese catalogues of Sphinx and the themes, and the script of
    the copy button, whose strings the Chinese edition's pages show."""
    import pydata_sphinx_theme
    import sphinx
    import sphinx_book_theme
    import sphinx_copybutton

    def folder(module: Any) -> Path:
        return Path(module.__file__).parent

    return [
        folder(sphinx) / "locale" / LANGUAGE / "LC_MESSAGES" / "sphinx.po",
        folder(sphinx_book_theme) / "theme" / "sphinx_book_theme" / "static"
        / "locales" / LANGUAGE / "LC_MESSAGES" / "booktheme.po",
        folder(pydata_sphinx_theme) / "locale" / LANGUAGE.split("_")[0]
        / "LC_MESSAGES" / "sphinx.po",
        folder(sphinx_copybutton) / "_static" / "copybutton.js_t",
        *(LOCALE / LANGUAGE / "LC_MESSAGES" / f"{name}.po"
          for name in THEME_CATALOGUES),
    ]


def theme_characters() -> set[str]:
    """CJK characters of the themes' and Sphinx's own Chinese strings."""
    maker = _font_maker()
    chars: set[str] = set()
    for path in _theme_files():
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".po":
            text = "".join(re.findall(r'^msgstr "(.*)"$', text, re.M))
        else:
            block = re.search(r"'zh-CN': \{(.*?)\}", text, re.S)
            text = block.group(1) if block else ""
        chars.update(c for c in text if maker.is_cjk(c))
    return chars


def make_zh_font(font: Path) -> tuple[int, int]:
    """Write ``ZH_FONT``; return (number of characters, bytes)."""
    return _font_maker().write_subset(font, zh_font_characters(), ZH_FONT)


def font(path: Path) -> int:
    if not path.exists():
        print(f"i18n font: 'font' must be an existing Noto Sans CJK file; got "
              f"{path}, which is missing. Install it with `apt-get install "
              "fonts-noto-cjk`, or pass --font.", file=sys.stderr)
        return 2
    count, size = make_zh_font(path)
    print(f"{ZH_FONT.relative_to(ROOT)}: {count} characters, {size / 1024:.1f} KiB")
    return 0


# --- build ----------------------------------------------------------------


def build(out: Path, cache: Path, english: bool, verbose: bool = False) -> int:
    """The English edition into ``out`` and the Chinese one into
    ``out/zh``, both from the execution cache ``cache``."""
    from course_tools.build_book import forget_stale_executions

    if cache == BUILD / ".jupyter_cache":
        forget_stale_executions()
    work = out.parent / "i18n"
    if english:
        result = run_sphinx("html", out, work / "en" / ".doctrees", None, cache,
                            verbose)
        _report("English edition", result)
        if result.status != 0:
            print("i18n build: the English edition failed (see above).",
                  file=sys.stderr)
            return result.status
    # myst-nb writes its executed notebooks beside the output folder, so the
    # Chinese edition is built outside the English one, then copied in.
    stage = work / LANGUAGE / "html"
    result = run_sphinx("html", stage, stage.parent / ".doctrees", LANGUAGE, cache,
                        verbose)
    _report("Chinese edition", result)
    if result.status != 0:
        print("i18n build: the Chinese edition failed (see above).",
              file=sys.stderr)
        return result.status
    zh_out = out / ZH_DIR
    shutil.rmtree(zh_out, ignore_errors=True)
    shutil.copytree(stage, zh_out, ignore=shutil.ignore_patterns(".buildinfo"))
    if ZH_FONT.exists():
        # The shipped font holds the English book's few Chinese characters;
        # the Chinese edition needs those of its translations too.
        shutil.copyfile(ZH_FONT, zh_out / "_static" / "fonts" / FONT_NAME)
    else:
        print(f"i18n build: {ZH_FONT.relative_to(ROOT)} is missing; the "
              "Chinese text falls back to the reader's own fonts. Make it with "
              "`python -m course_tools.i18n font`.", file=sys.stderr)
    print(f"Open {out / 'index.html'} and {zh_out / 'index.html'}")
    return 0


# --- the Sphinx extension ------------------------------------------------


#: Catalogues of the theme's own strings (``locale/zh_CN/LC_MESSAGES``):
#: ``sphinx.po`` completes Sphinx's and the PyData theme's catalogue, which
#: Sphinx reads from ``locale_dirs`` itself; ``booktheme.po`` completes
#: sphinx-book-theme's, for the strings its zh_CN catalogue lacks.
THEME_CATALOGUES = ("sphinx", "booktheme")


def _complete_theme_catalogue(app: Any) -> None:
    """Add ``booktheme.po`` behind the theme's own zh_CN catalogue: its
    messages are used only where the theme has none."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from sphinx import locale

    language = app.config.language
    if not language or language == "en":
        return
    base = LOCALE / language / "LC_MESSAGES"
    po = base / "booktheme.po"
    if not po.exists():
        return
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        with po.open("rb") as source, mo.open("wb") as target:
            write_mo(target, read_po(source))
    locale.init([str(LOCALE)], language, "booktheme")


#: A glue reference to the document's own data: ``{glue:text}`key:fmt```.
_SAME_DOC_GLUE = re.compile(r"(\{glue(?::[\w-]+)?\}`)(?![^`]*::)")


_GLUE_TEXT_PLAIN = re.compile(r"(\{glue:text\}`)(?P<key>[^`:]+)`")


def glue_from(document_path: str, text: str) -> str:
    """Point the glue references of ``text`` at the document
    ``document_path`` (relative to the book's root)."""
    # myst-nb reads ``{glue:text}`path::key``` as key "path:" with format
    # "key"; ":s" is the format a bare ``{glue:text}`key``` gets anyway.
    text = _GLUE_TEXT_PLAIN.sub(r"\1\g<key>:s`", text)
    return _SAME_DOC_GLUE.sub(lambda m: f"{m.group(1)}/{document_path}::", text)


#: ``env.temp_data`` key: the translations, in the document being read, of
#: messages written in reST (docstrings, the API overview's links).
_REST_MESSAGES = "course_i18n_rest_msgstrs"


def is_rest_source(node: Any) -> bool:
    """Whether ``node`` was written in reST inside a Markdown page: a
    docstring (autodoc's source is ``...py:docstring of course_lib.x.Y``, or
    ``docstring of course_lib.x.DATA`` for a module's data) or a link of an
    ``api-overview`` table."""
    source = str(node.get("source") or getattr(node, "source", None) or "")
    if "docstring of " in source:
        return True
    parent = node.parent
    while parent is not None:
        if "api-overview" in parent.get("classes", ()):
            return True
        parent = parent.parent
    return False


def _literal_form(msgstr: str) -> str:
    """How Sphinx's Locale transform hands a literal block's translation to
    the parser."""
    return "::\n\n" + "\n".join("   " + line if line.strip() else line
                                 for line in msgstr.splitlines())


def _is_rest_message(inputstring: str, recorded: set[str]) -> bool:
    """Whether a translated message handed to the parser is one of
    ``recorded`` (Sphinx may append a dummy literal or a title's underline)."""
    return any(inputstring == text or inputstring.startswith(text + "\n")
               for text in recorded)


def _translated_glue_parser(app: Any) -> None:
    """The parser of translated messages on Markdown pages.

    A message from a docstring (or an API overview's link) is reST: it is
    parsed with Sphinx's reST parser, as the English was. Every other
    message is MyST: myst-nb parses it in a document of its own, without the
    notebook's glue data, so its glue references are pointed at the glue
    cache of the document they belong to (``{glue:text}`/book/x.md::key```),
    which myst-nb resolves after reading."""
    from myst_nb.sphinx_ import Parser
    from sphinx.parsers import RSTParser

    class TranslatedGlueParser(Parser):
        def parse(self, inputstring: str, document: Any) -> None:
            if document.current_source.endswith("<translated>"):
                env = document.settings.env
                rest = env.temp_data.get(_REST_MESSAGES, set())
                if _is_rest_message(inputstring, rest):
                    rst = RSTParser()
                    rst.set_application(self._app)
                    rst.parse(inputstring, document)
                    return
                inputstring = glue_from(str(env.doc2path(env.docname, False)),
                                        inputstring)
            super().parse(inputstring, document)

    app.add_source_parser(TranslatedGlueParser, override=True)


def setup(app: Any) -> dict[str, Any]:
    """Loaded by this module's builds (``sphinx_overrides``)."""
    from docutils import nodes
    from sphinx import addnodes
    from sphinx.locale import init as init_locale
    from sphinx.transforms import SphinxTransform
    from sphinx.util.i18n import docname_to_domain

    def page_catalog(transform: Any) -> tuple[Any, bool]:
        """The page's catalogue in the build's language, and whether it
        exists."""
        domain = docname_to_domain(transform.env.docname,
                                   transform.config.gettext_compact)
        dirs = [str(Path(transform.env.srcdir) / d)
                for d in transform.config.locale_dirs]
        return init_locale(dirs, transform.config.language, domain)

    class MathIsNotAMessage(SphinxTransform):
        """Display equations are notation and a cell's outputs (a Markdown
        output too) come from the execution: identical in both editions,
        they are no messages."""

        # Before ExtraTranslatableNodes (10) and the Locale transform (20).
        default_priority = 5

        def apply(self, **kwargs: Any) -> None:
            for node in self.document.findall(nodes.math_block):
                node["translatable"] = False
            for output in self.document.findall(nodes.container):
                if "cell_output" in output.get("classes", []):
                    for node in output.findall(nodes.TextElement):
                        node["translatable"] = False

    class TranslateTocCaptions(SphinxTransform):
        """The table of contents' captions (Chapters, Appendix, ...) are
        messages of the root document, but sphinx-external-toc adds its
        toctrees after Sphinx has translated the document."""

        # After sphinx-external-toc's InsertToctrees (100).
        default_priority = 150

        def apply(self, **kwargs: Any) -> None:
            if not self.config.language or self.config.language == "en":
                return
            toctrees = [t for t in self.document.findall(addnodes.toctree)
                        if t.get("caption")]
            if not toctrees:
                return
            catalog, found = page_catalog(self)
            if not found:
                return
            for toctree in toctrees:
                toctree["caption"] = catalog.gettext(toctree["caption"])

    class RecordRestMessages(SphinxTransform):
        """Record the translations of the messages written in reST (see
        ``is_rest_source``), which the parser then reads as reST."""

        # After ApplySourceWorkaround (10), before the Locale transform (20).
        default_priority = 15

        def apply(self, **kwargs: Any) -> None:
            from sphinx.transforms.i18n import LITERAL_TYPE_NODES, parse_noqa
            from sphinx.util.nodes import extract_messages

            self.env.temp_data.pop(_REST_MESSAGES, None)
            if not self.config.language or self.config.language == "en":
                return
            catalog, found = page_catalog(self)
            if not found:
                return
            recorded: set[str] = set()
            for node, msg in extract_messages(self.document):
                if not is_rest_source(node):
                    continue
                msgstr = catalog.gettext(msg)
                if not msgstr or msgstr == msg:
                    continue
                if isinstance(node, LITERAL_TYPE_NODES):
                    recorded.add(_literal_form(msgstr))
                else:
                    recorded.add(parse_noqa(msgstr)[0])
            if recorded:
                self.env.temp_data[_REST_MESSAGES] = recorded

    class RecordUntranslated(SphinxTransform):
        """Record the messages this page shows in English: no translation in
        its catalogue (a new or changed English text not yet extracted, or
        a fuzzy one) and something to translate."""

        # Before the Locale transform (20), on the English messages.
        default_priority = 16

        def apply(self, **kwargs: Any) -> None:
            from sphinx.util.nodes import extract_messages

            missing = self.env.course_untranslated  # type: ignore[attr-defined]
            missing.pop(self.env.docname, None)
            if not self.config.language or self.config.language == "en":
                return
            catalog: Any = page_catalog(self)[0]
            known: dict[str, str] = {}
            while catalog is not None:
                known = {**getattr(catalog, "_catalog", {}), **known}
                catalog = getattr(catalog, "_fallback", None)
            found = [(node.line or 0, msg)
                     for node, msg in extract_messages(self.document)
                     if not known.get(msg) and not nothing_to_translate(msg)
                     and not _front_matter(node)]
            if found:
                missing[self.env.docname] = found

    def init_record(app: Any, env: Any, *args: Any) -> None:
        if not hasattr(env, "course_untranslated"):
            env.course_untranslated = {}

    def purge(app: Any, env: Any, docname: str) -> None:
        init_record(app, env)
        env.course_untranslated.pop(docname, None)

    def merge(app: Any, env: Any, docnames: Any, other: Any) -> None:
        init_record(app, env)
        for name in docnames:
            if name in getattr(other, "course_untranslated", {}):
                env.course_untranslated[name] = other.course_untranslated[name]

    def write_record(app: Any, exception: Any) -> None:
        if exception is None and app.config.language not in (None, "", "en") \
                and app.builder.format == "html":
            record = getattr(app.env, "course_untranslated", {})
            rows = [{"document": name, "line": line, "message": msg}
                    for name in sorted(record) for line, msg in record[name]]
            untranslated_file(Path(app.doctreedir)).write_text(
                json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")

    app.add_transform(MathIsNotAMessage)
    app.add_transform(RecordRestMessages)
    app.add_transform(RecordUntranslated)
    app.add_transform(TranslateTocCaptions)
    _translated_glue_parser(app)
    app.connect("builder-inited", _complete_theme_catalogue)
    app.connect("env-before-read-docs", init_record)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("build-finished", write_record)
    # A new version makes Sphinx read every page again (what it records
    # changed).
    return {"parallel_read_safe": True, "parallel_write_safe": True,
            "env_version": 3}


def _front_matter(node: Any) -> bool:
    """A field of the page's front matter (a field list at the top of the
    document), which becomes the page's metadata, never its text."""
    from docutils import nodes

    while node.parent is not None:
        if isinstance(node, (nodes.docinfo, nodes.field_list)) \
                and isinstance(node.parent, nodes.document):
            return True
        node = node.parent
    return False


def untranslated_file(doctrees: Path) -> Path:
    """Where a translated build lists the messages it showed in English."""
    return doctrees.parent / "untranslated.json"


def untranslated_in_build(doctrees: Path = BUILD / "i18n" / LANGUAGE / ".doctrees"
                          ) -> list[dict[str, Any]]:
    """The messages the last Chinese build showed in English (document,
    line, message); raises FileNotFoundError before the first build."""
    return json.loads(untranslated_file(doctrees).read_text(encoding="utf-8"))


# --- command line ---------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.i18n", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p_extract = commands.add_parser(
        "extract", help="gettext templates into _build/gettext, then update locale/")
    p_status = commands.add_parser("status", help="translation progress per document")
    p_status.add_argument("documents", nargs="*", help="e.g. book/index (default: all)")
    p_status.add_argument("--strict", action="store_true",
                          help="exit 1 if any message is untranslated or fuzzy")
    p_check = commands.add_parser(
        "check", help="check the translations (markup, glossary terms, copies, font)")
    p_check.add_argument("documents", nargs="*", help="e.g. book/index (default: all)")
    p_build = commands.add_parser("build", help="both editions, Chinese in zh/")
    p_build.add_argument("--out", type=Path, default=BUILD / "html",
                         help="the English edition's folder (default _build/html)")
    p_build.add_argument("--zh-only", action="store_true",
                         help="build only the Chinese edition into OUT/zh")
    p_font = commands.add_parser("font", help="the Chinese edition's web font")
    p_font.add_argument("--font", type=Path, default=Path(
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"))
    for sub in (p_extract, p_build):
        sub.add_argument("--cache", type=Path, default=BUILD / ".jupyter_cache",
                         help="the execution cache (default: make book's)")
        sub.add_argument("--verbose", action="store_true", help="Sphinx's messages")
    p_extract.add_argument("--build", type=Path, default=BUILD,
                           help="where gettext/ and its doctrees go (default _build)")
    args = parser.parse_args(argv)
    if args.command == "extract":
        return extract(args.build.resolve(), args.cache.resolve(), args.verbose)
    if args.command == "status":
        return status(args.documents, args.strict)
    if args.command == "check":
        return check(args.documents)
    if args.command == "font":
        return font(args.font)
    return build(args.out.resolve(), args.cache.resolve(), not args.zh_only,
                 args.verbose)


if __name__ == "__main__":
    sys.exit(main())
