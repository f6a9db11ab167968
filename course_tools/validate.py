"""``make validate NB=path``: run a notebook and report which visible tests fail.

This is what a student runs before handing in. It executes the notebook in a
fresh kernel (nothing is saved) and prints nbgrader's verdict.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .course import nbgrader


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: make validate NB=exercises/01-foundations/"
              "foundations.ipynb", file=sys.stderr)
        return 2
    path = Path(argv[0])
    if not path.is_file():
        print(f"validate: NB must be an existing .ipynb file; got {path} "
              "(no such file).", file=sys.stderr)
        return 2
    if path.suffix != ".ipynb":
        print(f"validate: NB must be a Jupyter notebook ending in .ipynb; "
              f"got {path.name}.", file=sys.stderr)
        return 2
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        print(f"validate: {path} is not a readable notebook (invalid JSON: "
              f"{exc}). Restore it from exercises/ or a backup.",
              file=sys.stderr)
        return 2
    proc = nbgrader(["validate", str(path.resolve())], cwd=path.parent,
                    check=False, quiet=False)
    out = proc.stdout.strip()
    print(out)
    if proc.stderr.strip() and proc.returncode != 0:
        print(proc.stderr.strip(), file=sys.stderr)
    failed = proc.returncode != 0 or "VALIDATION FAILED" in out \
        or "ERROR" in out or "NotImplementedError" in out
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
