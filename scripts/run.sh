#!/usr/bin/env bash
# Set up .venv (pinned) and run the main job: synthetic extracts when none exist, dbt build,
# statistics, figures and the report. Honours BLSU_RAW_DIR, BLSU_DB and BLSU_RESULTS.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/blsu run "$@"
