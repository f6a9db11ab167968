"""Shared fixtures: the built book and graded assignment variants."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("COURSE_LIB_PROGRESS", "0")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def book_html() -> Path:
    """``_build/html`` of the built book (``make book``); skips when absent."""
    html = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html"))
    if not (html / "index.html").exists():
        pytest.skip(f"the book is not built ({html / 'index.html'} is "
                    "missing): run `make book` first (`make test` does).")
    return html
