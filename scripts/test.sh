#!/usr/bin/env bash
# One command: install what the tests need and run them all (real cupsd, virtual IPP printer,
# SQLite ledgers, the appliance image built and booted). CI calls this through .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check foundation station central conalep tests bench scripts
# The appliance boot test (tests/test_appliance_boot.py: an OS root built from Debian's
# archive and booted with systemd-nspawn) runs beside the rest, in its own pytest process
# started first: most of its time is downloading and unpacking Debian packages and waiting
# for the booted machine, which overlaps the other tests' CPU work. Its output is printed
# after the rest and its status counts. APPLIANCE_TESTS=0 leaves it out; with arguments
# ("bash scripts/test.sh tests/test_x.py") only what they name runs, in one process.
appliance=()
if [[ $# -eq 0 && "${APPLIANCE_TESTS:-1}" == 1 ]]; then
  appliance=(tests/test_appliance_boot.py)
fi
pytest=(.venv/bin/python -m pytest -q -p no:cacheprovider)
if [[ ${#appliance[@]} -gt 0 ]]; then
  log=.pytest-appliance.log
  "${pytest[@]}" -p no:xdist --basetemp=.pytest-tmp-appliance "${appliance[@]}" >"$log" 2>&1 &
  appliance_pid=$!
  trap 'kill "$appliance_pid" 2>/dev/null || true' EXIT
fi
# One worker per core, each test file whole on one worker (its module fixtures start once);
# TEST_WORKERS=0 runs everything in this process.
# The arm64 image's qemu boot (about 30 min of emulation) only when asked for.
marks=(-m "not arm64_boot")
if [[ -n "${APPLIANCE_ARM64:-}${APPLIANCE_ARM64_IMAGE:-}" ]]; then marks=(); fi
status=0
"${pytest[@]}" --basetemp=.pytest-tmp -n "${TEST_WORKERS:-auto}" --dist loadfile \
  "${marks[@]}" "${appliance[@]/#/--ignore=}" "$@" || status=$?
if [[ ${#appliance[@]} -gt 0 ]]; then
  appliance_status=0
  wait "$appliance_pid" || appliance_status=$?
  trap - EXIT
  echo "===== the appliance boot test (tests/test_appliance_boot.py, its own process) ====="
  cat "$log"
  [[ $appliance_status -ne 0 && $status -eq 0 ]] && status=$appliance_status
fi
exit "$status"
