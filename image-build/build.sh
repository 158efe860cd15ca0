#!/usr/bin/env bash
# Builds the appliance from Debian's own packages with mmdebstrap (no Docker, no Raspberry Pi
# OS archive): Debian bookworm, the station's packages, and the same station content as the
# pi-gen stage (install-station.sh + files/station-setup.sh). See image-build/README.md.
#
#   image-build/build.sh [--arch arm64|amd64] [--rootfs] [--packages FILE]... \
#       PAQUETE.tar LLAVE_DE_VERSIONES.pub SALIDA
#
# arm64 (default): SALIDA.img, a disk image for Raspberry Pi 4/5 (Debian's linux-image-arm64
#   and raspi-firmware; partitions RASPIFIRM (FAT, /boot/firmware) and RASPIROOT (ext4)), made
#   without loop devices (mkfs.ext4 -d, mtools). Also SALIDA.boot/ (kernel + initrd, to boot
#   the same image under qemu-system-aarch64 -M virt).
# --rootfs: SALIDA is a folder with the root file system instead (any --arch); the boot test
#   boots it with systemd-nspawn --boot.
# --packages FILE: package list(s) instead of debian/packages (+ debian/packages-arm64).
# --smoke: debian/packages-arm64-smoke (+ packages-arm64 for an image): systemd, the units and
#   the first slot only, for the qemu-system-aarch64 boot test; the slot takes the bundle's
#   wheels as they are (pip --no-deps: pycups from Debian's python3-cups, which bookworm
#   has at 2.0.1, below the project's pin). Not a station for a school.
# MIRROR (default http://deb.debian.org/debian), SUITE (bookworm), PYTHON (python3 with the
# `cryptography` and `pydantic` packages, for the bundle's signature check).
# APT_CACHE=DIR keeps the downloaded .debs in DIR and reuses them (steps of one CI run).
# EATMYDATA=0 lets dpkg fsync every file (default: mmdebstrap's eatmydata hook, see below).
set -euo pipefail

arch=arm64
rootfs_only=0
lists=()
smoke=0
while [ $# -gt 0 ]; do
	case "$1" in
	--arch) arch=$2; shift 2 ;;
	--rootfs) rootfs_only=1; shift ;;
	--packages) lists+=("$(realpath "$2")"); shift 2 ;;
	--smoke) smoke=1; shift ;;
	--*) echo "opción desconocida: $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ $# -ne 3 ]; then
	echo "uso: $0 [--arch arm64|amd64] [--rootfs] [--packages LISTA] PAQUETE.tar LLAVE_DE_VERSIONES.pub SALIDA" >&2
	exit 2
fi
for tool in mmdebstrap mkfs.ext4 mkfs.vfat mcopy sfdisk; do
	if ! command -v "$tool" >/dev/null; then
		echo "falta $tool: apt install mmdebstrap e2fsprogs dosfstools mtools fdisk" >&2
		exit 2
	fi
done
# Another architecture's maintainer scripts run through qemu-user binfmt; a host where
# binfmt_misc is not mounted (seen on this project's CI VM) fails deep inside mmdebstrap.
if [ "$arch" != "$(dpkg --print-architecture)" ]; then
	qemu_name=$arch; [ "$arch" = arm64 ] && qemu_name=aarch64
	if ! grep -qs enabled "/proc/sys/fs/binfmt_misc/qemu-$qemu_name"; then
		echo "no hay emulación de $arch (binfmt): apt install qemu-user-static binfmt-support;" \
			"mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc;" \
			"update-binfmts --enable qemu-$qemu_name" >&2
		exit 2
	fi
fi
here="$(cd "$(dirname "$0")" && pwd)"
export STATION_REPO="$(cd "$here/.." && pwd)"
export STATION_BUNDLE="$(realpath "$1")"
export STATION_KEY="$(realpath "$2")"
export STATION_ARCH="$arch" STATION_IMAGE=$((1 - rootfs_only))
export PYTHON="${PYTHON:-python3}"
export STATION_PIP_NO_DEPS=$smoke
out="$(realpath -m "$3")"
mirror="${MIRROR:-http://deb.debian.org/debian}"
suite="${SUITE:-bookworm}"
security="${SECURITY_MIRROR:-http://deb.debian.org/debian-security}"

if [ ${#lists[@]} -eq 0 ]; then
	lists=("$here/debian/packages")
	[ "$smoke" = 1 ] && lists=("$here/debian/packages-arm64-smoke")
	[ "$arch" = arm64 ] && [ "$rootfs_only" = 0 ] && lists+=("$here/debian/packages-arm64")
fi
packages="$(sed -e 's/#.*//' "${lists[@]}" | tr -s ' \n' '\n' | grep -v '^$' | sort -u | paste -sd, -)"

if [ "$rootfs_only" = 1 ]; then
	root="$out"
	[ -e "$root" ] && { echo "$root ya existe" >&2; exit 2; }
else
	root="$(mktemp -d "${out}.root.XXXXXX")"
	trap 'rm -rf "$root" "$out.boot.part" "$out.root.part"' EXIT
	rmdir "$root"
fi

cache_hooks=()
if [ -n "${APT_CACHE:-}" ]; then
	mkdir -p "$APT_CACHE"
	cache_hooks=(--skip=essential/unlink --setup-hook="mkdir -p \"\$1/var/cache/apt/archives\"; cp -a \"$APT_CACHE\"/. \"\$1/var/cache/apt/archives/\"" \
		--customize-hook="cp -a \"\$1/var/cache/apt/archives/\"*.deb \"$APT_CACHE\"/ 2>/dev/null || true" \
		--customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb')
fi

smoke_hooks=()
if [ "$smoke" = 1 ]; then
	# Before the kernel's postinst builds the initramfs: only the modules qemu's virt machine
	# needs (debian/initramfs-modules-smoke), not MODULES=most (an hour under qemu-user).
	# mkinitramfs reads lists from /etc/initramfs-tools/modules (a conffile) and
	# /usr/share/initramfs-tools/modules.d/*, not from /etc/initramfs-tools/modules.d.
	smoke_hooks=(--essential-hook="mkdir -p \"\$1/etc/initramfs-tools/conf.d\" \"\$1/usr/share/initramfs-tools/modules.d\"; echo MODULES=list >\"\$1/etc/initramfs-tools/conf.d/station-smoke.conf\"; grep -v '^#' \"$here/debian/initramfs-modules-smoke\" >\"\$1/usr/share/initramfs-tools/modules.d/station-smoke\"")
fi

# dpkg fsyncs every file it unpacks: most of a root build's time on a busy disk. The root is
# copied into a file system (mkfs.ext4 -d) or tested as a folder afterwards, so a crash of
# the build machine mid-build only means building again: dpkg runs under eatmydata
# (mmdebstrap's own hook; it fetches eatmydata from the mirror into the root and removes
# it at the end, so the image does not keep it).
eatmydata_hooks=()
if [ "${EATMYDATA:-1}" = 1 ] && [ -d /usr/share/mmdebstrap/hooks/eatmydata ]; then
	eatmydata_hooks=(--hook-dir=/usr/share/mmdebstrap/hooks/eatmydata)
fi

started=$(date +%s)
mmdebstrap --mode=root --variant=apt --arch="$arch" --components="main non-free-firmware" \
	--include="$packages" \
	--aptopt='APT::Install-Recommends "false"' \
	--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	"${eatmydata_hooks[@]}" "${cache_hooks[@]}" "${smoke_hooks[@]}" \
	--customize-hook='"$STATION_REPO"/image-build/debian/customize.sh "$1"' \
	"$suite" "$root" \
	"deb $mirror $suite main non-free-firmware" \
	"deb $mirror $suite-updates main non-free-firmware" \
	"deb $security $suite-security main non-free-firmware"
echo "raíz lista en $(( $(date +%s) - started )) s: $root"
[ "$rootfs_only" = 1 ] && exit 0

# --- the disk image: FAT boot partition (firmware, kernel, initrd, config.txt, cmdline.txt)
# and the ext4 root, each made as a file and placed at its offset (no loop devices, no mounts).
boot_mib=256
root_mib=$(( $(du -sm --exclude=./boot/firmware "$root" | cut -f1) * 13 / 10 + 512 ))
mkdir -p "$out.boot"
cp -L "$root/vmlinuz" "$out.boot/vmlinuz"
cp -L "$root/initrd.img" "$out.boot/initrd.img"
rm -f "$out.boot.part"
mkfs.vfat -F 32 -n RASPIFIRM -C "$out.boot.part" $((boot_mib * 1024)) >/dev/null
mcopy -s -i "$out.boot.part" "$root"/boot/firmware/* ::/
rm -rf "$root"/boot/firmware/*
mkfs.ext4 -q -L RASPIROOT -d "$root" "$out.root.part" "${root_mib}M"
rm -f "$out.img"
truncate -s $(( (4 + boot_mib + root_mib) * 1024 * 1024 )) "$out.img"
sfdisk -q "$out.img" <<PARTS
label: dos
start=4MiB, size=${boot_mib}MiB, type=c
start=$((4 + boot_mib))MiB, type=83
PARTS
dd if="$out.boot.part" of="$out.img" bs=1M seek=4 conv=notrunc,sparse status=none
dd if="$out.root.part" of="$out.img" bs=1M seek=$((4 + boot_mib)) conv=notrunc,sparse status=none
echo "imagen lista en $(( $(date +%s) - started )) s: $out.img ($(du -h --apparent-size "$out.img" | cut -f1))"
