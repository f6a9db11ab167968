"""``make release``: regenerate ``exercises/`` from ``solutions/`` with nbgrader.

``exercises/`` is exactly what ``nbgrader generate_assignment`` makes of
``solutions/``: solution regions replaced by stubs, hidden tests removed,
outputs cleared. ``exercises-zh/`` is the same release with the notebooks'
instructions in Chinese (:mod:`course_tools.i18n_notebooks`); ``--strict``
refuses to write it while a message has no translation. Tests fail when
either drifts from what this command makes.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import i18n_notebooks
from .course import EXERCISES, SOLUTIONS, assignments, nbgrader, write_course_config


def generate(out_dir: Path, names: list[str] | None = None) -> list[str]:
    """Generate the student version of each assignment into ``out_dir``."""
    todo = [a for a in assignments() if names is None or a.name in names]
    with tempfile.TemporaryDirectory(prefix="release-") as tmp:
        root = Path(tmp)
        shutil.copytree(SOLUTIONS, root / "source")
        write_course_config(root)
        for a in todo:
            nbgrader(["generate_assignment", a.name, "--force", "--no-db"],
                     cwd=root)
            target = out_dir / a.name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(root / "release" / a.name, target)
    return [a.name for a in todo]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*",
                        help="assignment folders (default: all)")
    parser.add_argument("--strict", action="store_true",
                        help="fail unless every message of the notebooks has a "
                        "Chinese translation (CI)")
    args = parser.parse_args(argv)
    known = {a.name for a in assignments()}
    unknown = sorted(set(args.assignments) - known)
    if unknown:
        print(f"release: unknown assignment(s) {unknown}; expected one of "
              f"{sorted(known)}.", file=sys.stderr)
        return 2
    EXERCISES.mkdir(exist_ok=True)
    done = generate(EXERCISES, args.assignments or None)
    for name in done:
        print(f"released {name} -> {EXERCISES / name}")
    start = time.perf_counter()
    try:
        missing = i18n_notebooks.release(done, strict=args.strict)
    except i18n_notebooks.MissingTranslations as exc:
        print(f"release --strict: {exc}", file=sys.stderr)
        return 1
    i18n_notebooks.report_release(missing, time.perf_counter() - start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
