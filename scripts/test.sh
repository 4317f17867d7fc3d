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
.venv/bin/sqlfluff lint --processes 2 models tests/dbt analysis
echo "==> pytest"
.venv/bin/pytest "$@"
