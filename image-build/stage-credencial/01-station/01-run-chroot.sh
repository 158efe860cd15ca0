#!/bin/bash -e
# pi-gen (inside the arm64 image): users, the first release slot, units — the same script
# as the Debian recipe (image-build/files/station-setup.sh, copied in by 00-run.sh).
bash /usr/local/lib/station-setup.sh
rm -f /usr/local/lib/station-setup.sh
