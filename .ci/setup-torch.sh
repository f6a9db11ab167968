#!/usr/bin/env bash
# PyTorch for the cross-checks that compare course_lib with torch (the same
# CPU build `make bench` uses). The course never needs it; without it those
# tests skip. Never fails CI.
cd "$(dirname "$0")/.." || exit 0
if make --no-print-directory .venv/.bench-installed; then
  echo "setup-torch: PyTorch installed for the cross-checks."
else
  echo "setup-torch: PyTorch could not be installed; the cross-checks against it will skip."
fi
exit 0
