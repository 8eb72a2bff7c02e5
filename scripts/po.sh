#!/usr/bin/env bash
# Refreshes the message catalogs from the sources: extracts every tr("...") and trf("...")
# into po/loa.pot (xgettext) and merges it into each po/<lang>.po (msgmerge), keeping the
# translations there. New strings then show up untranslated (English until translated).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
xgettext --from-code=UTF-8 --language=C++ --keyword=tr --keyword=trf --no-location --omit-header \
  -o po/loa.pot cli/*.cpp core/*/*.cpp
for po in po/*.po; do
  msgmerge --quiet --update --no-fuzzy-matching --backup=none "$po" po/loa.pot
done
echo "updated: $(ls po/*.po | tr '\n' ' ')"
