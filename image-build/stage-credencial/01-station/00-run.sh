#!/bin/bash -e
# pi-gen (host side; the working folder is this sub-stage): place the station's files into
# the image's root file system. image-build/build.sh put the repo's files, the signed first
# bundle and the release public key under files/.
files/repo/image-build/install-station.sh "${ROOTFS_DIR}" files/bundle.tar files/release.pub
install -D -m 0755 files/repo/image-build/files/station-setup.sh "${ROOTFS_DIR}/usr/local/lib/station-setup.sh"
