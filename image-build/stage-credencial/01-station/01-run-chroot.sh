#!/bin/bash -e
# pi-gen (inside the arm64 image): users, the first release slot, units.
# Needs the image's own python (arm64), so tests/test_image_build.py only checks it with
# `bash -n` and checks that every unit it enables is installed by install-station.sh.

# The services' account owns the data folder; it may use the display, camera, touch, printer.
id -u station >/dev/null 2>&1 || useradd --system --home-dir /var/lib/station --shell /usr/sbin/nologin station
usermod -a -G video,input,render,lpadmin station
# The console account of the appliance (created by pi-gen as FIRST_USER_NAME).
id -u credencial >/dev/null 2>&1 || useradd --create-home --shell /bin/bash credencial
usermod -a -G video,lpadmin credencial
chown station:station /var/lib/station
chmod 0700 /var/lib/station

# The first release slot: the wheelhouse install-station.sh unpacked, installed offline.
version="$(cat /opt/station/bundles/first/VERSION)"
# Same as station.update.install.Installer: system packages visible (python3-picamera2),
# every dependency from the wheelhouse anyway.
python3 -m venv --system-site-packages "/opt/station/releases/${version}/venv"
"/opt/station/releases/${version}/venv/bin/python" -m pip install --no-index --no-cache-dir \
	--ignore-installed --find-links /opt/station/bundles/first/wheels "/opt/station/bundles/first/wheels/$(cat /opt/station/bundles/first/PROJECT_WHEEL)[station]"
cp /opt/station/bundles/first/manifest.json "/opt/station/releases/${version}/manifest.json"
echo "${version}" > "/opt/station/releases/${version}/.complete"
ln -sfn "releases/${version}" /opt/station/current
rm -rf /opt/station/bundles/first

# station-firstboot.service is installed but not enabled: the kiosk's touch setup
# (Configurar esta estación) covers a first boot without a keyboard; with a keyboard,
# `systemctl start station-firstboot` asks on tty1 (see image-build/README.md).
systemctl enable station-kiosk.service station-sync.timer station-update.timer cups.service
systemctl disable ssh.service 2>/dev/null || true
# The desktop-less image boots to the console; the kiosk owns the display.
systemctl set-default multi-user.target
