#!/usr/bin/env bash
# Places the station's files into a root file system (DESTDIR style), checking the release
# bundle's signature first. Used by the pi-gen stage (host side) and by
# tests/test_image_build.py against a temporary folder.
#   image-build/install-station.sh DESTDIR BUNDLE.tar RELEASE_KEY.pub
# Needs python3 with the `cryptography` package (Debian: python3-cryptography) on the host.
set -euo pipefail

if [ $# -ne 3 ]; then
	echo "uso: $0 DESTINO PAQUETE.tar LLAVE_DE_VERSIONES.pub" >&2
	exit 2
fi
dest=$1
bundle=$2
key=$3
repo="$(cd "$(dirname "$0")/.." && pwd)"
python=${PYTHON:-python3}

# 1. The bundle must verify against the release key the image will trust.
keys_tmp="$(mktemp -d)"
trap 'rm -rf "$keys_tmp"' EXIT
cp "$key" "$keys_tmp/estado.pub"
PYTHONPATH="$repo" "$python" - "$bundle" "$keys_tmp" <<'PY'
import sys
from pathlib import Path

from foundation.releases.bundle import BundleRefused, load_release_keys, verify_bundle

try:
    found = verify_bundle(Path(sys.argv[1]), load_release_keys(Path(sys.argv[2])))
except BundleRefused as exc:
    sys.exit(f"paquete rechazado: {exc.reason}")
print(f"paquete {found.manifest.version} verificado (llave {found.key_id})")
PY

# 2. Release key, first bundle (installed into its slot inside the image), units.
install -d -m 0755 "$dest/opt/station/release-keys" "$dest/opt/station/releases" \
	"$dest/opt/station/bundles/first" "$dest/etc/systemd/system" "$dest/usr/local/sbin"
install -m 0644 "$key" "$dest/opt/station/release-keys/estado.pub"
tar -xf "$bundle" -C "$dest/opt/station/bundles/first"
"$python" - "$dest/opt/station/bundles/first" <<'PY'
import json
import sys
from pathlib import Path

folder = Path(sys.argv[1])
manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
(folder / "VERSION").write_text(manifest["version"] + "\n")
(folder / "PROJECT_WHEEL").write_text(Path(manifest["project_wheel"]).name + "\n")
PY
for unit in "$repo"/systemd/*.service "$repo"/systemd/*.timer \
	"$repo"/image-build/files/station-firstboot.service; do
	install -m 0644 "$unit" "$dest/etc/systemd/system/$(basename "$unit")"
done
install -m 0755 "$repo/image-build/files/station-firstboot.sh" "$dest/usr/local/sbin/station-firstboot"

# 3. The data folder (owner set inside the image, where the station user exists).
install -d -m 0700 "$dest/var/lib/station"

# 4. No ssh unless support turns it on by hand (pi-gen ENABLE_SSH=0 does the same).
rm -f "$dest/boot/ssh" "$dest/boot/firmware/ssh"
echo "estación instalada en $dest"
