"""The whole book as one PDF (``make pdf``): Chromium prints every page of
the built HTML book in table-of-contents order, with the book's print
stylesheet, and the pages are joined into ``_build/pdf/book.pdf`` with one
bookmark per page of the table of contents (grouped by its parts).

No LaTeX is involved: what is printed is what a reader sees in the browser,
figures, typeset math and pre-rendered widgets (showing their first view)
included. Build the HTML book first (``make book``).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .loopback import CHROMIUM_ARGS, chromium_path, serve

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
OUT = ROOT / "_build" / "pdf" / "book.pdf"
TITLE = "Training Neural Networks, from Scratch"

#: Ready to print: math typeset, web fonts loaded, folded answers open, and
#: links to the other pages of the book (dead in a PDF, where they would
#: point at the temporary local server) turned into plain text.
_PREPARE = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await document.fonts.ready;
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  for (const a of document.querySelectorAll('article a[href]')) {
    const url = new URL(a.href, location.href);
    const samePage = url.origin === location.origin
      && url.pathname === location.pathname;
    if (url.origin === location.origin && !samePage) {
      a.removeAttribute('href');
    }
  }
  const h1 = document.querySelector('article h1');
  return h1 ? h1.innerText.replace(/[#¶]\\s*$/, '').trim() : document.title;
}"""


@dataclass
class Entry:
    """One page of the table of contents and the pages nested under it."""

    doc: str
    children: list[Entry] = field(default_factory=list)


def toc_parts(root: Path = ROOT) -> list[tuple[str | None, list[Entry]]]:
    """(part caption, entries) in reading order; the root page first, in a
    part of its own without caption."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))

    def entries(items) -> list[Entry]:
        return [Entry(item["file"], entries(item.get("sections", [])))
                for item in items or []]

    parts: list[tuple[str | None, list[Entry]]] = [(None, [Entry(toc["root"])])]
    for part in toc.get("parts", []):
        parts.append((part.get("caption"), entries(part.get("chapters"))))
    if "chapters" in toc:
        parts.append((None, entries(toc["chapters"])))
    return parts


def _flatten(entries: list[Entry]) -> list[str]:
    out = []
    for entry in entries:
        out.append(entry.doc)
        out.extend(_flatten(entry.children))
    return out


def print_page(browser, url: str, out: Path) -> str:
    """Print one page of the built book to ``out``; return its title."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(url, wait_until="networkidle")
        page.emulate_media(media="print")
        title = page.evaluate(_PREPARE)
        page.pdf(path=str(out), format="A4", print_background=True,
                 prefer_css_page_size=False,
                 margin={"top": "16mm", "bottom": "16mm",
                         "left": "14mm", "right": "14mm"})
        return title
    finally:
        page.close()


def build_pdf(html: Path = HTML, out: Path = OUT,
              root: Path = ROOT) -> dict[str, tuple[str, int]]:
    """Print every page of ``html`` in toc order and join them into
    ``out``; return doc -> (title, first page index in the PDF)."""
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader, PdfWriter

    if not (html / "index.html").exists():
        raise FileNotFoundError(
            f"build_pdf: 'html' must be a built book; {html / 'index.html'} "
            "is missing. Run `make book` first.")
    parts = toc_parts(root)
    pages_dir = out.parent / "pages"
    pages_dir.mkdir(parents=True, exist_ok=True)
    titles: dict[str, str] = {}
    with serve(html) as base, sync_playwright() as p:
        # the system's Chromium, or (None) Playwright's own, if it has one
        browser = p.chromium.launch(executable_path=chromium_path(),
                                    args=CHROMIUM_ARGS)
        try:
            for _, entries in parts:
                for doc in _flatten(entries):
                    start = time.perf_counter()
                    target = pages_dir / (doc.replace("/", "_") + ".pdf")
                    titles[doc] = print_page(browser, f"{base}/{doc}.html",
                                             target)
                    print(f"  {doc:<36} {time.perf_counter() - start:5.1f} s")
        finally:
            browser.close()

    writer = PdfWriter()
    first_page: dict[str, int] = {}
    for _, entries in parts:
        for doc in _flatten(entries):
            first_page[doc] = len(writer.pages)
            writer.append(PdfReader(pages_dir / (doc.replace("/", "_")
                                                 + ".pdf")),
                          import_outline=False)

    def outline(entries: list[Entry], parent) -> None:
        for entry in entries:
            item = writer.add_outline_item(title=titles[entry.doc],
                                           page_number=first_page[entry.doc],
                                           parent=parent)
            outline(entry.children, item)

    for caption, entries in parts:
        if not entries:
            continue
        parent = None
        if caption:
            parent = writer.add_outline_item(title=caption,
                                             page_number=first_page[entries[0].doc])
        outline(entries, parent)
    writer.add_metadata({"/Title": TITLE, "/Author": "The course authors"})
    writer.page_mode = "/UseOutlines"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as fh:
        writer.write(fh)
    return {doc: (titles[doc], first_page[doc]) for doc in titles}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, default=HTML,
                        help="the built HTML book (default: _build/html)")
    parser.add_argument("--out", type=Path, default=OUT,
                        help="the PDF to write (default: _build/pdf/book.pdf)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        pages = build_pdf(args.html, args.out)
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 2
    size = args.out.stat().st_size
    print(f"\n{args.out}: {len(pages)} pages of the book, "
          f"{size / 1e6:.1f} MB, in {time.perf_counter() - start:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
