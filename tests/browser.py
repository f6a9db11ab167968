"""Serving the built book on loopback and driving headless Chromium."""

from __future__ import annotations

import contextlib

import pytest

from course_tools.loopback import CHROMIUM_ARGS, serve
from course_tools.loopback import chromium_path as _system_chromium

__all__ = ["CHROMIUM_ARGS", "browser", "chromium_path", "serve"]


def chromium_path() -> str:
    """The system's Chromium; skips the test when there is none."""
    path = _system_chromium()
    if path is None:
        pytest.skip("Chromium is not installed: `apt-get install chromium` "
                    "(as root) enables the browser tests; `.ci/run` does it.")
    return path


@contextlib.contextmanager
def browser():
    """A headless Chromium from Playwright, with the system's binary."""
    playwright = pytest.importorskip("playwright.sync_api")
    exe = chromium_path()
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
