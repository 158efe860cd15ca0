#!/usr/bin/env bash
# Refresh the kiosk's translation catalog after changing texts in station/ui (GNU gettext:
# xgettext, msgmerge, msgen, msgfmt). The msgids are the Spanish texts themselves; es_MX keeps
# them as they are (msgen), so the catalog lists every text the kiosk shows, ready for another
# language (copy the .po to a new locale folder and translate the msgstr lines).
#   bash station/ui/locale/update.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=station/ui/locale
pot=$(mktemp --suffix=.pot)
po=$out/es_MX/LC_MESSAGES/station-kiosk.po
mo=$out/es_MX/LC_MESSAGES/station-kiosk.mo
trap 'rm -f "$pot"' EXIT
find station/ui -name '*.py' | sort | xargs xgettext --language=Python --from-code=UTF-8 \
  --keyword=_ --keyword=ngettext:1,2 --sort-by-file --no-location \
  --package-name=station-kiosk --no-wrap -o "$pot" 2>&1 | grep -v "non-ASCII\|This will cause\|different from yours\|Consider using\|^ " || true
sed -i 's/charset=CHARSET/charset=UTF-8/; s/^"Language: \\n"/"Language: es_MX\\n"/' "$pot"
sed -i 's/^"Plural-Forms: .*"/"Plural-Forms: nplurals=2; plural=(n != 1);\\n"/' "$pot"
sed -i 's/^"PO-Revision-Date: .*"/"PO-Revision-Date: 2026-01-01 00:00-0600\\n"/' "$pot"
sed -i 's/^"Last-Translator: .*"/"Last-Translator: station maintainers\\n"/' "$pot"
sed -i 's/^"Language-Team: .*"/"Language-Team: es_MX\\n"/' "$pot"
sed -i 's/^"POT-Creation-Date: .*"/"POT-Creation-Date: 2026-01-01 00:00-0600\\n"/' "$pot"
sed -i '1,/^msgid ""/{/^#/d}' "$pot"  # no template comments, no fuzzy header
mkdir -p "$(dirname "$po")"
if [ -f "$po" ]; then
  msgmerge --quiet --no-fuzzy-matching --no-wrap --update --backup=none "$po" "$pot"
  msgattrib --no-obsolete --no-wrap "$po" -o "$po"
  msgen --no-wrap "$po" -o "$po.new"
else
  msgen --no-wrap "$pot" -o "$po.new"
fi
mv "$po.new" "$po"
msgfmt --check --statistics -o "$mo" "$po"
