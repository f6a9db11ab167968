#!/usr/bin/env bash
# Build the classroom's environment (used by `make classroom` and CI) in a
# root-owned, read-only place outside this checkout, so that the students'
# servers never need to read the checkout (its solutions/, _grading/ and
# .git stay private to root):
#   $CLASSROOM_PREFIX/venv      JupyterHub, JupyterLab, nbgrader and the course
#                               (course_lib, course_tools) installed as copies,
#                               on a Python that every user may run;
#   $CLASSROOM_PREFIX/jupyter   deploy/jupyter: the per-role settings;
#   $CLASSROOM_PREFIX/lib       deploy/lib: the exchange's submit step and the
#                               service that seals hand-ins;
#   .classroom/venv             a link to $CLASSROOM_PREFIX/venv;
#   deploy/node_modules/.bin/   configurable-http-proxy, JupyterHub's proxy
#                               (run by the hub, as root);
#   bubblewrap                  the sandbox of Autograde.
# CLASSROOM_PREFIX defaults to /opt/nn-from-scratch-classroom. Idempotent:
# re-installs the course only when it changed; re-copies the settings.
set -eo pipefail
cd "$(dirname "$0")/.."
PREFIX=${CLASSROOM_PREFIX:-/opt/nn-from-scratch-classroom}
VENV=$PREFIX/venv
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

umask 022
mkdir -p "$PREFIX"
chmod 0755 "$PREFIX"

if [ ! -f "$STAMP" ] || [ requirements.txt -nt "$STAMP" ] \
   || [ deploy/requirements-classroom.txt -nt "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ] \
   || [ -n "$(find course_lib course_tools -name '*.py' -newer "$STAMP" -print -quit)" ]; then
  PY=$(find_python) || {
    echo "No Python >= 3.11 that every user may run (students' servers run as their" >&2
    echo "own users); install Debian's python3 and python3-venv, or set CLASSROOM_PYTHON." >&2
    exit 3
  }
  echo "Classroom environment: $VENV (from $PY)"
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  # The course as a copy, not an editable install: the servers import
  # nothing from this checkout. Built from a copy of the package sources, so
  # no build folder or egg-info is left here.
  build=$(mktemp -d)
  cp -r pyproject.toml README.md course_lib course_tools "$build/"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r deploy/requirements-classroom.txt "$build" 2>&1 | { grep -v '^WARNING: Location' || true; }
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-deps --force-reinstall "$build" 2>&1 | { grep -v '^WARNING: Location' || true; }
  rm -rf "$build"
  (cd / && "$VENV/bin/python" -c "import jupyterhub, nbgrader, jupyterlab, course_lib, course_tools")
  touch "$STAMP"
fi

# The per-role settings and the exchange's code, as the servers read them.
rm -rf "$PREFIX/jupyter.new" "$PREFIX/lib.new"
cp -r deploy/jupyter "$PREFIX/jupyter.new"
cp -r deploy/lib "$PREFIX/lib.new"
find "$PREFIX/jupyter.new" "$PREFIX/lib.new" -name __pycache__ -prune -exec rm -rf {} +
rm -rf "$PREFIX/jupyter" "$PREFIX/lib"
mv "$PREFIX/jupyter.new" "$PREFIX/jupyter"
mv "$PREFIX/lib.new" "$PREFIX/lib"
# JupyterLab's defaults for everyone: no news pop-up, no update check.
mkdir -p "$VENV/share/jupyter/lab/settings"
cp deploy/jupyter/lab-overrides.json "$VENV/share/jupyter/lab/settings/overrides.json"
chown -R root:root "$PREFIX" 2>/dev/null || true
chmod -R go-w,a+rX "$PREFIX"

# `make classroom` runs .classroom/venv/bin/python; keep that path working.
mkdir -p .classroom
if [ -d .classroom/venv ] && [ ! -L .classroom/venv ]; then
  rm -rf .classroom/venv  # an editable environment from an older install
fi
ln -sfn "$VENV" .classroom/venv

if [ ! -x deploy/node_modules/.bin/configurable-http-proxy ] \
   || [ deploy/package-lock.json -nt deploy/node_modules/.package-lock.json ]; then
  command -v npm >/dev/null || { echo "npm is needed for configurable-http-proxy" >&2; exit 4; }
  npm ci --prefix deploy --no-audit --no-fund --loglevel=error
fi

# Autograde (the course's engine) runs each submission in a bubblewrap
# sandbox; the classroom refuses to autograde without it.
bash .ci/setup-sandbox.sh
