#!/usr/bin/env bash
# Set-up for the classroom test (tests/test_classroom.py: JupyterHub and
# nbgrader's exchange on 127.0.0.1, one system user per person).
#
# Installs the classroom with deploy/install.sh: a root-owned copy outside
# the checkout (/opt/nn-from-scratch-classroom) with its venv on the system's
# Python (the course's .venv may sit on a Python under /root, which the
# students' users cannot run), and configurable-http-proxy in
# deploy/node_modules. The tests need Chromium too (.ci/run installs it). It does not need .venv, so
# it runs before `make test` creates it. The test creates and removes its
# own throw-away users; here we only make sure the tools for that exist.
#
# Never fails CI: whatever is missing is reported, and the test then skips
# with the same reason.
cd "$(dirname "$0")/.." || exit 0

skip() {
  echo "setup-classroom: $*"
  echo "setup-classroom: the classroom test (tests/test_classroom.py) will be skipped."
  exit 0
}

[ "$(id -u)" = "0" ] || skip "not running as root, so no system users can be created"

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then
    apt-get update -qq >/dev/null 2>&1 || return 1
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}

command -v useradd >/dev/null && command -v userdel >/dev/null \
  || apt_install passwd || skip "useradd/userdel are missing and could not be installed"
command -v runuser >/dev/null || apt_install util-linux \
  || skip "runuser is missing and could not be installed"
command -v npm >/dev/null || apt_install nodejs npm \
  || skip "npm is missing and could not be installed (configurable-http-proxy needs it)"
if ! /usr/bin/python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  apt_install python3 python3-venv || echo "setup-classroom: python3-venv could not be installed"
fi

if ! bash deploy/install.sh; then
  skip "deploy/install.sh failed (see above)"
fi

echo "setup-classroom: ready (${CLASSROOM_PREFIX:-/opt/nn-from-scratch-classroom}," \
     "deploy/node_modules/.bin/configurable-http-proxy)."
