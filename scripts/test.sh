#!/usr/bin/env bash
# Install everything the tests need (system packages included) and run them.
# Used by the README and by CI (.ci/run). Needs Python 3.11 and pip; root (or sudo)
# for the Debian chromium package that the browser tests drive.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=${VENV:-.venv}

if ! command -v chromium >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq chromium >/dev/null
fi

[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
# shellcheck disable=SC1091
. "$VENV/bin/activate"
python -m pip install -q --upgrade pip
python -m pip install -q -c constraints.txt -e ".[dev,ray,geo]"

ruff check src tests benchmarks
mypy
# pytest exits 5 when it collects nothing; set -e turns that into a failure.
python -m pytest -q "$@"
