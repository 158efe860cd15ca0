#!/usr/bin/env bash
# Installs everything the station needs on a fresh Debian 12 machine (run as root).
#   scripts/setup.sh          runtime: CUPS client libraries, fonts, a venv with the station
#                             (pip extra `station`; a central server installs `.[central]`)
#   scripts/setup.sh --test   also what the test suite starts for real: cupsd, ippeveprinter,
#                             dbus-daemon, poppler, PostgreSQL, Debian chromium (driven by
#                             Playwright in the conalep page tests), the appliance boot test's
#                             tools (mmdebstrap builds the image root, systemd-nspawn boots
#                             it), and the test packages
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
[ "${1:-}" = "--test" ] && with_tests=1

runtime_debs=(python3 python3-venv python3-dev gcc libcups2-dev cups cups-client cups-filters cups-ipp-utils dbus-daemon poppler-utils
  libgl1 libgl1-mesa-dri libegl1 libegl-mesa0 libmtdev1)
test_debs=(ghostscript gettext libpango-1.0-0 libpangoft2-1.0-0 postgresql xvfb xauth chromium
  mmdebstrap systemd-container e2fsprogs dosfstools mtools fdisk
  fusefat  # fusefat: USB stick tests mount FAT images where the kernel has no vfat
  qemu-system-arm qemu-utils qemu-user-static binfmt-support)

need=()
for pkg in "${runtime_debs[@]}"; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
if [ "$with_tests" = 1 ]; then
  for pkg in "${test_debs[@]}"; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
fi
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
if [ "$with_tests" = 1 ]; then
  .venv/bin/python -m pip install -q -e '.[test]'
else
  .venv/bin/python -m pip install -q -e '.[station]'
fi
