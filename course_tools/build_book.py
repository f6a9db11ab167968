"""Build the HTML book (``make book``): execute every chapter (cached) and
report how long each chapter took to execute."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"


def execution_times() -> dict[str, float]:
    """Seconds each cached notebook took to execute, from jupyter-cache."""
    from jupyter_cache import get_cache

    cache_dir = BUILD / ".jupyter_cache"
    if not cache_dir.exists():
        return {}
    cache = get_cache(str(cache_dir))
    times = {}
    for record in cache.list_project_records():
        cached = cache.get_cached_project_nb(record.uri)
        if cached is not None:
            data = cached.data or {}
            seconds = data.get("execution_seconds")
            if seconds is not None:
                times[str(Path(record.uri).relative_to(ROOT))] = seconds
    return times


def library_fingerprint() -> str:
    """Hash of everything the chapters import from this repository."""
    digest = hashlib.sha256()
    files = sorted((ROOT / "course_lib").rglob("*.py")) + [ROOT / "requirements.txt"]
    for path in files:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def forget_stale_executions() -> None:
    """The execution cache keys on a chapter's own text only; when the library
    changes, every chapter (and the API pages' docstrings) must be redone."""
    stamp = BUILD / ".course_lib.sha256"
    current = library_fingerprint()
    cached = (BUILD / ".jupyter_cache").exists()
    if cached and (not stamp.exists() or stamp.read_text() != current):
        print("course_lib changed since the last build: every chapter re-executes.")
        shutil.rmtree(BUILD / ".jupyter_cache", ignore_errors=True)
        shutil.rmtree(BUILD / ".doctrees", ignore_errors=True)
    BUILD.mkdir(exist_ok=True)
    stamp.write_text(current)


def main() -> int:
    forget_stale_executions()
    env = dict(os.environ, COURSE_LIB_PROGRESS="0")
    # A non-interactive backend would keep figures out of the pages.
    env.pop("MPLBACKEND", None)
    start = time.perf_counter()
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT),
           "--warningiserror", "--keep-going", "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE,
                            text=True, errors="replace")
    assert proc.stderr is not None  # stderr=PIPE
    for line in proc.stderr:
        # Local kernels talk over loopback; ipykernel warns about it once per
        # notebook, which would bury the messages that matter.
        if "Kernel is running over TCP without encryption" not in line:
            sys.stderr.write(line)
    proc.wait()
    elapsed = time.perf_counter() - start
    times = execution_times()
    if times:
        print("\nExecution time per chapter (cached runs keep their time):")
        for name, secs in sorted(times.items()):
            print(f"  {name:<40} {secs:7.1f} s")
        print(f"  {'total':<40} {sum(times.values()):7.1f} s")
    print(f"\nBuild took {elapsed:.1f} s.")
    if proc.returncode != 0:
        # Sphinx keeps the environment of a failed build and would call the
        # next build up to date; drop it (the execution cache stays).
        shutil.rmtree(BUILD / ".doctrees", ignore_errors=True)
        print("The book build failed (see the messages above).", file=sys.stderr)
        return proc.returncode
    return build_chinese()


def build_chinese() -> int:
    """The Chinese edition into ``_build/html/zh``, from the English build's
    execution cache (no notebook runs again)."""
    from course_tools import i18n

    print("\nThe Chinese edition:")
    code = i18n.build(BUILD / "html", BUILD / ".jupyter_cache", english=False)
    if code != 0:
        print("The Chinese edition failed (see the messages above).",
              file=sys.stderr)
        return code
    # What a reader of the Chinese edition still sees in English: messages
    # untranslated or fuzzy, or English changed since the last extract.
    shown = i18n.untranslated_in_build()
    for row in shown:
        text = row["message"]
        short = text if len(text) < 60 else text[:57] + "..."
        print(f"  in English: {row['document']}:{row['line']}: {short}")
    if shown:
        print(f"{len(shown)} messages of the Chinese edition are shown in English "
              "(`make i18n-extract`, then translate them; locale/README.md).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
