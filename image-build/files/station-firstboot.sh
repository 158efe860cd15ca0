#!/usr/bin/env bash
# First-boot enrollment prompt on tty1 (station-firstboot.service). Spanish: the person in
# front of the screen is school or DRSE staff with the code the state office gave them.
set -uo pipefail
station=/opt/station/current/venv/bin/station
data=/var/lib/station
done_marker="$data/.primer-arranque-hecho"

clear
echo "Estación de credenciales escolares — primer arranque"
echo
echo "Para conectar la estación con la oficina central escriba la dirección del servicio"
echo "central y el código de inscripción (lo da la oficina estatal; sirve una sola vez)."
echo "Deje la dirección vacía para usar la estación sin conexión (se puede inscribir después"
echo "con: station enroll --central URL --code CÓDIGO)."
echo
for attempt in 1 2 3; do
	read -r -p "Dirección del servicio central (https://…): " central
	if [ -z "$central" ]; then
		echo "La estación trabajará sin conexión."
		break
	fi
	read -r -p "Código de inscripción: " code
	if runuser -u station -- env STATION_DATA="$data" "$station" enroll --central "$central" --code "$code"; then
		echo "Estación inscrita."
		break
	fi
	echo "No se pudo inscribir (intento $attempt de 3). Revise la dirección, el código y la red."
done
touch "$done_marker"
chown station:station "$done_marker"
exit 0
