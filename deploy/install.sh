#!/usr/bin/env bash
# Build the classroom's environment (used by `make classroom` and CI):
#   .classroom/venv             JupyterHub, JupyterLab, nbgrader and the course
#                               library, on a Python that every user may run
#                               (the students' servers run as their own users);
#   deploy/node_modules/.bin/   configurable-http-proxy, JupyterHub's proxy;
#   bubblewrap                  the sandbox of the course's autograder, which
#                               Formgrader's Autograde button runs (as root).
# Idempotent: does nothing when both are already up to date.
set -eo pipefail
cd "$(dirname "$0")/.."
VENV=.classroom/venv
STAMP=$VENV/.installed

others_can_run() {
  # True if every folder above the real file and the file itself are
  # enterable/executable by any user.
  local path
  path=$(readlink -f "$1") || return 1
  [ -x "$path" ] || return 1
  while [ "$path" != "/" ]; do
    [ "$(( 0$(stat -c '%a' "$path") & 01 ))" -ne 0 ] || return 1
    path=$(dirname "$path")
  done
}

find_python() {
  local candidate
  for candidate in ${CLASSROOM_PYTHON:-} /usr/bin/python3.11 /usr/local/bin/python3.11 \
      "$(command -v python3.11 || true)" /usr/bin/python3 /usr/local/bin/python3; do
    [ -n "$candidate" ] && [ -e "$candidate" ] || continue
    others_can_run "$candidate" || continue
    "$candidate" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null || continue
    echo "$candidate"
    return 0
  done
  return 1
}

if [ ! -f "$STAMP" ] || [ requirements.txt -nt "$STAMP" ] \
   || [ deploy/requirements-classroom.txt -nt "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
  PY=$(find_python) || {
    echo "No Python >= 3.11 that every user may run (students' servers run as their" >&2
    echo "own users); install Debian's python3 and python3-venv, or set CLASSROOM_PYTHON." >&2
    exit 3
  }
  echo "Classroom environment: $VENV (from $PY)"
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r deploy/requirements-classroom.txt -e . 2>&1 | { grep -v '^WARNING: Location' || true; }
  "$VENV/bin/python" -c "import jupyterhub, nbgrader, jupyterlab, course_lib"
  touch "$STAMP"
fi

if [ ! -x deploy/node_modules/.bin/configurable-http-proxy ] \
   || [ deploy/package-lock.json -nt deploy/node_modules/.package-lock.json ]; then
  command -v npm >/dev/null || { echo "npm is needed for configurable-http-proxy" >&2; exit 4; }
  npm ci --prefix deploy --no-audit --no-fund --loglevel=error
fi

# Autograde (the course's engine) runs each submission in a bubblewrap
# sandbox; without it grading still runs, with resource limits only.
bash .ci/setup-sandbox.sh
