#!/usr/bin/env bash
# One command: set up the station and run its demo (demo school, placeholder portraits,
# one batch printed to a private virtual printer, or to a PDF when CUPS is absent).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/station demo "$@"
