#!/usr/bin/env bash
# Builds the appliance image with pi-gen (Raspberry Pi OS Lite, bookworm, arm64) plus the
# stage-credencial stage. See image-build/README.md.
#   image-build/build.sh BUNDLE.tar RELEASE_KEY.pub [PI_GEN_FOLDER]
# PI_GEN_REF picks the pi-gen tag; BUILD=native runs pi-gen's build.sh (as root on an arm64
# or binfmt-enabled Debian host) instead of build-docker.sh.
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "uso: $0 PAQUETE.tar LLAVE_DE_VERSIONES.pub [CARPETA_PI_GEN]" >&2
	exit 2
fi
repo="$(cd "$(dirname "$0")/.." && pwd)"
bundle="$(realpath "$1")"
key="$(realpath "$2")"
pigen="${3:-$repo/image-build/pi-gen}"
ref="${PI_GEN_REF:-2024-11-19-raspios-bookworm-arm64}"

if [ ! -d "$pigen" ]; then
	git clone --depth 1 --branch "$ref" https://github.com/RPi-Distro/pi-gen.git "$pigen"
fi
stage="$pigen/stage-credencial"
rm -rf "$stage"
cp -r "$repo/image-build/stage-credencial" "$stage"
files="$stage/01-station/files"
mkdir -p "$files/repo"
cp -r "$repo/foundation" "$repo/station" "$repo/systemd" "$repo/image-build" "$files/repo/"
rm -rf "$files/repo/image-build/pi-gen"
cp "$bundle" "$files/bundle.tar"
cp "$key" "$files/release.pub"
# Only the last stage exports an image.
touch "$pigen/stage2/SKIP_IMAGES"
cp "$repo/image-build/config" "$pigen/config"
cd "$pigen"
if [ "${BUILD:-docker}" = native ]; then
	./build.sh -c config
else
	./build-docker.sh -c config
fi
ls -l "$pigen/deploy/"
