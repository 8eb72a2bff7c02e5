#!/usr/bin/env bash
# Refreshes the message catalogs from the sources: extracts every tr("..."), trf("...") and N_("...")
# of the command line, the core, the providers and the officials' API (daemon/api_server.cpp)
# into po/loa.pot (xgettext) and merges it into each po/<lang>.po (msgmerge), keeping the
# translations there. New strings then show up untranslated (English until translated).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
LC_ALL=C.UTF-8 xgettext --from-code=UTF-8 --language=C++ --keyword=tr --keyword=trf --keyword=N_ --no-location --omit-header \
  -o po/loa.pot cli/*.cpp core/*/*.h core/*/*.cpp providers/*.cpp providers/vendors/*.cpp daemon/api_server.cpp
for po in po/*.po; do
  msgmerge --quiet --update --no-fuzzy-matching --backup=none "$po" po/loa.pot
done
echo "updated: $(ls po/*.po | tr '\n' ' ')"
