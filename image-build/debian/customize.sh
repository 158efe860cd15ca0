#!/usr/bin/env bash
# mmdebstrap --customize-hook of image-build/build.sh: the station's content (same as the
# pi-gen stage: install-station.sh, then files/station-setup.sh inside the root) and what
# pi-gen's config did (hostname, es_MX locale, Mexico City time, no ssh, console account).
#   customize.sh ROOT      (env from build.sh: STATION_REPO, STATION_BUNDLE, STATION_KEY,
#                           STATION_ARCH, STATION_IMAGE, PYTHON)
set -euo pipefail
root=$1
repo=$STATION_REPO

PYTHON="$PYTHON" "$repo/image-build/install-station.sh" "$root" "$STATION_BUNDLE" "$STATION_KEY"

echo estacion-credenciales >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\testacion-credenciales\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
if [ -x "$root/usr/sbin/locale-gen" ]; then
	echo 'es_MX.UTF-8 UTF-8' >"$root/etc/locale.gen"
	chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin locale-gen >/dev/null
	echo 'LANG=es_MX.UTF-8' >"$root/etc/default/locale"
fi
ln -sfn /usr/share/zoneinfo/America/Mexico_City "$root/etc/localtime"
echo America/Mexico_City >"$root/etc/timezone"

# Wired network by DHCP (systemd-networkd); Wi-Fi is set up by support with wpa_supplicant.
if [ -e "$root/lib/systemd/system/systemd-networkd.service" ]; then
	install -d "$root/etc/systemd/network"
	printf '[Match]\nName=e*\n\n[Network]\nDHCP=yes\n' >"$root/etc/systemd/network/50-cable.network"
	chroot "$root" systemctl enable systemd-networkd.service >/dev/null 2>&1
fi

install -m 0755 "$repo/image-build/files/station-setup.sh" "$root/tmp/station-setup.sh"
# A clean environment: the build host's PIP_* or PYTHON* settings must not reach the image.
chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
	STATION_PIP_NO_DEPS="${STATION_PIP_NO_DEPS:-0}" /bin/bash /tmp/station-setup.sh
rm -f "$root/tmp/station-setup.sh"

# Console only: root locked, `credencial` with a random first password printed here once
# (the same as pi-gen's FIRST_USER_PASS); ssh is not even installed.
chroot "$root" passwd -l root >/dev/null
password="$(head -c 4096 /dev/urandom | LC_ALL=C tr -dc 'a-km-z2-9' | cut -c1-12)"
echo "credencial:$password" | chroot "$root" chpasswd
echo "contraseña de la consola (usuario credencial): $password"

if [ "$STATION_IMAGE" = 1 ] && [ "$STATION_ARCH" = arm64 ]; then
	# Root and firmware partitions by label, as Debian's raspi images (image-specs) do.
	printf 'LABEL=RASPIROOT / ext4 rw,noatime 0 1\nLABEL=RASPIFIRM /boot/firmware vfat rw,noatime 0 2\n' >"$root/etc/fstab"
	cat >"$root/etc/default/raspi-firmware" <<'CFG'
# Written by image-build/debian/customize.sh; read by raspi-firmware's kernel hook, which
# writes /boot/firmware/cmdline.txt and config.txt.
ROOTPART=LABEL=RASPIROOT
CONSOLES="tty0 ttyS1,115200"
CFG
	kernel="$(basename "$(readlink -f "$root/vmlinuz")" | sed 's/^vmlinuz-//')"
	# The hook acts only when told it runs for a package's "configure" (DEB_MAINT_PARAMS, as
	# the kernel's postinst passes it); called bare it exits at once and the kernel's own
	# run, before /etc/default/raspi-firmware existed, left cmdline.txt with the build
	# host's root device.
	chroot "$root" env DEB_MAINT_PARAMS=configure /etc/kernel/postinst.d/z50-raspi-firmware "$kernel"
	# The kiosk draws on the Pi's DSI/HDMI display through KMS.
	grep -q '^dtoverlay=vc4-kms-v3d' "$root/boot/firmware/config.txt" \
		|| echo 'dtoverlay=vc4-kms-v3d' >>"$root/boot/firmware/config.txt"
fi
