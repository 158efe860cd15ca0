#!/bin/bash
# Inside the image's root (chroot; under qemu-user binfmt when building arm64 on x86): the
# users, the first release slot, the units. Run by image-build/debian/customize.sh (Debian
# recipe) and by the pi-gen stage (stage-credencial/01-station/01-run-chroot.sh), after
# install-station.sh placed the files (keys, first bundle, units, data folder).
set -euo pipefail

# Groups Debian creates only with some packages (lpadmin comes with cups, render with udev);
# the kiosk unit names them all in SupplementaryGroups.
for group in video input render lpadmin; do
	getent group "$group" >/dev/null || groupadd --system "$group"
done
# The services' account owns the data folder; it may use the display, camera, touch, printer.
id -u station >/dev/null 2>&1 || useradd --system --user-group --home-dir /var/lib/station \
	--shell /usr/sbin/nologin station
usermod -a -G video,input,render,lpadmin station
# The console account of the appliance (pi-gen creates it as FIRST_USER_NAME).
id -u credencial >/dev/null 2>&1 || useradd --create-home --user-group --shell /bin/bash credencial
usermod -a -G video,lpadmin credencial
getent group sudo >/dev/null && usermod -a -G sudo credencial
chown station:station /var/lib/station
chmod 0700 /var/lib/station

# The first release slot: the wheelhouse install-station.sh unpacked, installed offline.
version="$(cat /opt/station/bundles/first/VERSION)"
# Same as station.update.install.Installer: system packages visible (python3-picamera2 on
# Raspberry Pi OS), every dependency from the wheelhouse anyway.
python3 -m venv --system-site-packages "/opt/station/releases/${version}/venv"
if [ "${STATION_PIP_NO_DEPS:-0}" = 1 ]; then
	# build.sh --smoke: every wheel of the bundle as it is, no resolution (pycups is Debian's
	# python3-cups, older than the project's pin); no byte-compiling under qemu-user.
	"/opt/station/releases/${version}/venv/bin/python" -m pip install -q --no-index \
		--no-cache-dir --disable-pip-version-check --no-deps --no-compile \
		/opt/station/bundles/first/wheels/*.whl
else
	# As the updater does (station.update.install): pip without its one-core byte-compile,
	# then compileall on every core; errors ignored as pip ignores them.
	"/opt/station/releases/${version}/venv/bin/python" -m pip install -q --no-compile --no-index \
		--no-cache-dir --disable-pip-version-check --ignore-installed \
		--find-links /opt/station/bundles/first/wheels \
		"/opt/station/bundles/first/wheels/$(cat /opt/station/bundles/first/PROJECT_WHEEL)[station]"
	"/opt/station/releases/${version}/venv/bin/python" -m compileall -q -q -j0 \
		"/opt/station/releases/${version}/venv/lib" || true
fi
cp /opt/station/bundles/first/manifest.json "/opt/station/releases/${version}/manifest.json"
echo "${version}" > "/opt/station/releases/${version}/.complete"
ln -sfn "releases/${version}" /opt/station/current
rm -rf /opt/station/bundles

# station-firstboot.service is installed but not enabled: the kiosk's touch setup
# (Configurar esta estación) covers a first boot without a keyboard; with a keyboard,
# `systemctl start station-firstboot` asks on tty1 (see image-build/README.md).
systemctl enable station-kiosk.service station-sync.timer station-update.timer station-privacy.timer
if [ -e /lib/systemd/system/cups.service ]; then systemctl enable cups.service; fi
systemctl disable ssh.service 2>/dev/null || true
# The desktop-less image boots to the console; the kiosk owns the display.
systemctl set-default multi-user.target
echo "estación ${version} instalada en la imagen"
