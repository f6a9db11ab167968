"""The built book (``make book``): every chapter executed, with figures, and
nothing an instructor keeps to themselves."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from course_tools.course import SOLUTIONS

pytestmark = pytest.mark.book
ROOT = Path(__file__).resolve().parent.parent


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        for ch in part.get("chapters", []):
            files.append(ch["file"])
            files.extend(s["file"] for s in ch.get("sections", []))
    return files


def executable(path: Path) -> bool:
    return "```{code-cell}" in path.read_text(encoding="utf-8")


CHAPTERS = [f for f in toc_files() if executable(ROOT / f"{f}.md")]


@pytest.mark.parametrize("page", toc_files())
def test_every_page_is_built(book_html, page):
    assert (book_html / f"{page}.html").is_file()


@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_executed_with_outputs_and_no_errors(book_html, page):
    html = (book_html / f"{page}.html").read_text(encoding="utf-8")
    assert "cell_output" in html, f"{page} shows no executed output"
    for marker in ("Traceback (most recent call last)", "output traceback",
                   "-" * 75):
        assert marker not in html, f"{page} shows an error: {marker}"
    source = (ROOT / f"{page}.md").read_text(encoding="utf-8")
    if "plt." in source or "course_lib.figures" in source \
            or "from course_lib import figures" in source:
        images = re.findall(r'<img[^>]+src="([^"]+\.png)"', html)
        assert images, f"{page} draws figures but the page has none"
        for src in images:
            assert (book_html / Path(page).parent / src).resolve().is_file(), src


def _solution_snippets() -> list[str]:
    """Distinctive lines of every solution region and hidden test.

    Imports and lines that the notebook also shows outside its solution and
    hidden-test regions (task statements, given code) are not secrets.
    """
    snippets = []
    region = re.compile(r"### BEGIN (?:SOLUTION|HIDDEN TESTS)\n(.*?)### END", re.S)
    texts = []
    for nb_path in SOLUTIONS.rglob("*.ipynb"):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        texts += ["".join(cell["source"]) for cell in nb["cells"]]
    # given to students somewhere (a later assignment may ask for a class
    # whose signature an earlier one hands out)
    public = "\n".join(region.sub("", text) for text in texts)
    for text in texts:
        for block in region.findall(text):
            for line in block.splitlines():
                line = line.strip()
                imports = line.startswith(("#", "from ", "import "))
                if len(line) >= 40 and not imports and line not in public:
                    snippets.append(line)
    return snippets


# The instructor guide explains the region markers; it shows no solution.
MARKER_PAGES_ALLOWED = {"book/appendix/instructors"}


def test_book_contains_no_solution_or_hidden_test(book_html):
    snippets = _solution_snippets()
    assert snippets, "found no solution code to look for"
    leaks = []
    for page in book_html.rglob("*"):
        if page.suffix not in {".html", ".ipynb", ".md", ".py", ".txt", ".js"}:
            continue
        text = page.read_text(encoding="utf-8", errors="ignore")
        # the Chinese edition (zh/) has the same pages
        doc = page.relative_to(book_html).as_posix().removeprefix("zh/")
        doc = doc.removeprefix("_sources/")
        allowed = doc.rsplit(".", 1)[0] in MARKER_PAGES_ALLOWED
        for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS"):
            if marker in text and not allowed:
                leaks.append(f"{page}: {marker}")
        for snippet in snippets:
            if snippet in text:
                leaks.append(f"{page}: {snippet[:60]}")
    assert not any(book_html.rglob("gradebook.db"))
    assert not leaks, "\n".join(leaks[:20])


def test_assignment_downloads_are_student_versions(book_html):
    downloads = list((book_html / "_downloads").rglob("*.ipynb"))
    assert downloads, "no assignment notebook is offered for download"
    for nb in downloads:
        text = nb.read_text(encoding="utf-8")
        if '"nbgrader"' in text:
            assert "YOUR CODE HERE" in text, f"{nb} is not a student version"


@pytest.mark.parametrize("assignment", sorted(
    p.name for p in (ROOT / "exercises").iterdir() if p.is_dir()))
def test_every_assignment_is_offered_from_its_chapter(book_html, assignment):
    number = assignment.split("-")[0]
    chapter = next((ROOT / "book").glob(f"{number}_*.md"))
    html = (book_html / "book" / f"{chapter.stem}.html").read_text(encoding="utf-8")
    notebooks = [nb.name for nb in (ROOT / "exercises" / assignment).glob("*.ipynb")]
    assert notebooks, f"exercises/{assignment} holds no notebook"
    for name in notebooks:
        assert re.search(rf'href="[^"]*_downloads/[^"]*/{re.escape(name)}"', html), (
            f"{chapter.name} does not offer exercises/{assignment}/{name} for download")
