"""``import course_lib`` loads the NumPy core only; figures are opt-in."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, sys
import course_lib
heavy = sorted(m for m in ("matplotlib", "IPython", "ipywidgets", "PIL")
               if m in sys.modules)
print(json.dumps({"heavy": heavy}))
"""


def _run(code: str) -> dict:
    # a fresh interpreter: this test process has matplotlib loaded already
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_course_lib_loads_no_plotting_or_notebook_library():
    result = _run(PROBE)
    assert result["heavy"] == [], (
        f"import course_lib pulled in {result['heavy']}; figures belong in "
        "course_lib.figures")


def test_core_names_stay_available_without_figures():
    result = _run(PROBE + """
import course_lib as cl
names = ["Affine", "Sequential", "Trainer", "load_digits", "relative_error",
         "diagnostics", "optim", "search", "layers"]
missing = [n for n in names if not hasattr(cl, n)]
assert not missing, missing
assert not hasattr(cl, "plotting") and not hasattr(cl, "widgets")
print(json.dumps({"heavy": []}))
""")
    assert result["heavy"] == []


def test_figures_subpackage_imports_matplotlib_and_exports_flat_names():
    result = _run("""
import json, sys
import course_lib.figures as fig
from course_lib.figures import plot_contour_paths, prerendered
names = [n for n in fig.__all__ if not hasattr(fig, n)]
print(json.dumps({"heavy": ["matplotlib"] if "matplotlib" in sys.modules
                  else [], "missing": names}))
""")
    assert result["heavy"] == ["matplotlib"]
    assert result["missing"] == []
