#!/usr/bin/env bash
# Set up .venv (pinned) and run every check: ruff, sqlfluff, and the pytest suite (generator,
# warehouse with dbt build and unit tests, statistics, CLI, end to end).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export DBT_SEND_ANONYMOUS_USAGE_STATS=false
echo "==> ruff"
.venv/bin/ruff check .
echo "==> sqlfluff"
# the dbt templater compiles the project, which loads the sources: give it small extracts
lint_dir=$(mktemp -d)
trap 'rm -rf "$lint_dir"' EXIT
.venv/bin/blsu generate --size small --out "$lint_dir/raw" --quiet
BLSU_RAW_DIR="$lint_dir/raw" .venv/bin/sqlfluff lint --processes 2 models tests/dbt analysis
echo "==> pytest"
# two workers (the machine's cores); each test folder runs on one worker (tests/conftest.py)
.venv/bin/pytest -n "${BLSU_TEST_WORKERS:-2}" --dist loadscope "$@"
