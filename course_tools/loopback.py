"""A built book served on loopback, and the Chromium that opens it.

The PDF build (``course_tools.build_pdf``) and the browser tests
(``tests/browser.py``) both serve a folder over HTTP on 127.0.0.1 (pages
loaded from ``file://`` lose the search index and the widgets' data) and
drive a headless Chromium; both take these helpers from here.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = ["CHROMIUM_ARGS", "chromium_path", "serve"]

#: Command-line switches for a quiet headless Chromium: no sandbox (it
#: runs in containers), no GPU, and no traffic of its own.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def chromium_path() -> str | None:
    """The system's Chromium executable, or None when none is installed."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 with an ephemeral port; yield the base URL.

    The server runs in a daemon thread and is shut down on exit.
    """
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
