#!/usr/bin/env bash
# Create .venv at the project root and install the pinned dependencies (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null || { echo "setup: $PY not found; install Python 3.11 or set PYTHON=/path/to/python3.11" >&2; exit 1; }
stamp=.venv/.installed-$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
    [ -x .venv/bin/python ] || "$PY" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r requirements.lock
    .venv/bin/python -m pip install --quiet --no-deps -e .
    rm -f .venv/.installed-*
    touch "$stamp"
fi
