#!/usr/bin/env bash
# One command: install what the tests need and run them all (real cupsd, virtual IPP printer,
# SQLite ledgers). CI calls this through .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check foundation station central conalep tests bench scripts
# The appliance boot tests (an OS image built and booted: tens of minutes) run only with
# APPLIANCE_TESTS=1; see image-build/README.md.
marks=(-m "not appliance")
if [[ "${APPLIANCE_TESTS:-0}" == 1 ]]; then marks=(); fi
# One worker per core, each test file whole on one worker (its module fixtures start once);
# TEST_WORKERS=0 runs everything in this process.
exec .venv/bin/python -m pytest -q -p no:cacheprovider --basetemp=.pytest-tmp \
  -n "${TEST_WORKERS:-auto}" --dist loadfile "${marks[@]}" "$@"
