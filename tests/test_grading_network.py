"""The sandbox has no network: code inside cannot reach a service listening
on the host's loopback, and sees only its own loopback interface. The same
probe with ``--unshare-net`` removed does reach it, so this test can fail."""

from __future__ import annotations

import socket

import pytest

from course_tools import sandbox
from course_tools.sandbox import Limits, Sandbox, bwrap

pytestmark = [pytest.mark.grading, pytest.mark.xdist_group("network")]

PROBE = """
import socket
try:
    socket.create_connection(('127.0.0.1', {port}), timeout=3).close()
    print('CONNECTED')
except OSError as exc:
    print('REFUSED OSError', type(exc).__name__)
print('INTERFACES', sorted(name for _, name in socket.if_nameindex()))
"""


def _run_probe(port: int) -> str:
    box = Sandbox(Limits(cell_seconds=30))
    try:
        reply = box.execute(PROBE.format(port=port), False, 30)
    finally:
        box.close()
    return "".join(o.get("text", "") for o in reply["outputs"])


@pytest.fixture
def listening():
    """A server on 127.0.0.1 (random port) that accepts connections."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield server.getsockname()[1]


@pytest.fixture
def needs_bwrap():
    if bwrap() is None:
        pytest.skip("bubblewrap is unavailable (run .ci/setup-sandbox.sh "
                    "as root): network isolation cannot be tested")


def test_sandbox_cannot_reach_the_host(needs_bwrap, listening):
    text = _run_probe(listening)
    assert "CONNECTED" not in text, text
    assert "REFUSED OSError" in text, text
    assert "INTERFACES ['lo']" in text, text


def test_the_probe_detects_a_sandbox_with_network(needs_bwrap, listening,
                                                  monkeypatch):
    """Without ``--unshare-net`` the same probe connects: the assertions
    above are not true of every sandbox."""
    flags = sandbox._unshare_flags
    monkeypatch.setattr(sandbox, "_unshare_flags", lambda: [
        f for f in flags() if f != "--unshare-net"])
    text = _run_probe(listening)
    assert "CONNECTED" in text, text
    assert "INTERFACES ['lo']" not in text, text
