#!/usr/bin/env bash
# CONALEP on SQLite with the synthetic SAE samples loaded, then the pages on
# http://127.0.0.1:8760/staff (development mode: never with real data).
#   scripts/conalep-demo.sh            prepare ./conalep-data and serve
#   scripts/conalep-demo.sh --no-serve only prepare (import, accounts, publish corte 1)
# Accounts (password «demo-conalep-2026» for all): dg.escolares (state-wide),
# xalapa.escolares and xalapa.director (plantel 165 only), psicopedagogia (bajas' queue).
set -euo pipefail
cd "$(dirname "$0")/.."
# Installs what conalep needs (no Kivy, OpenCV or CUPS) into .venv, like scripts/setup.sh does
# for the station.
if [ ! -x .venv/bin/python ]; then
  if ! python3 -m venv --help >/dev/null 2>&1 || ! dpkg -s python3-venv >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
  fi
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q -e '.[conalep]'
export CONALEP_DATA_DIR=${CONALEP_DATA_DIR:-$PWD/conalep-data}
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
conalep=(.venv/bin/python -m conalep)
samples=tests/data/sae
password=demo-conalep-2026

"${conalep[@]}" migrate
"${conalep[@]}" import-sae "$samples"
add() {  # username role [plantel]: skip an account that exists already
  if ! "${conalep[@]}" staff list --json | grep -q "\"username\": \"$1\""; then
    printf '%s\n' "$password" | "${conalep[@]}" staff add "$1" --role "$2" ${3:+--plantel "$3"} \
      --name "$4" --password-stdin
  fi
}
add dg.escolares dg_escolares "" "Servicios Escolares DG (demo)"
add xalapa.escolares plantel_escolares 165 "Servicios Escolares Xalapa (demo)"
add xalapa.director plantel_director 165 "Dirección Xalapa (demo)"
add psicopedagogia psicopedagogia "" "Psicopedagogía DG (demo)"
"${conalep[@]}" siseac --periodo 2025-2026-1 --corte 1 --publish
echo "Datos en $CONALEP_DATA_DIR. Usuarios: dg.escolares, xalapa.escolares, xalapa.director, psicopedagogia; contraseña: $password"
if [ "${1:-}" != "--no-serve" ]; then
  exec "${conalep[@]}" serve
fi
