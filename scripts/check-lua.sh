#!/usr/bin/env bash
# Checks Loa's Lua scripts as Redis will run them (the prelude followed by each script):
# syntax with luac 5.1 (Redis's Lua), and no global but those Redis provides, so a
# misspelt helper or variable fails here rather than in a send.
#   bash scripts/check-lua.sh [LUA_DIR [PRELUDE]]     (PRELUDE: LUA_DIR/prelude.lua)
set -euo pipefail
dir=${1:-$(cd "$(dirname "$0")/.." && pwd)/core/store/lua}
prelude=${2:-$dir/prelude.lua}
luac=$(command -v luac5.1 || command -v luac || true)
if [ -z "$luac" ]; then
  echo "check-lua: luac (Debian's lua5.1) is not installed" >&2
  exit 1
fi
allowed=" redis KEYS ARGV table string math tonumber tostring ipairs pairs unpack type cjson cmsgpack bit struct error pcall assert next select "
status=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for f in "$dir"/*.lua; do
  [ "$(basename "$f")" = prelude.lua ] && continue
  cat "$prelude" "$f" >"$tmp"
  if ! listing=$("$luac" -p -l "$tmp" 2>&1); then
    echo "check-lua: $(basename "$f"): ${listing//$tmp/$(basename "$f")}" >&2
    status=1
    continue
  fi
  # luac -l prints "GETGLOBAL ... ; name" and "SETGLOBAL ... ; name" for every global use.
  while read -r op name; do
    if [ "$op" = SETGLOBAL ] || [[ "$allowed" != *" $name "* ]]; then
      echo "check-lua: $(basename "$f"): $op $name (not a local of the prelude or the script)" >&2
      status=1
    fi
  done < <(printf '%s\n' "$listing" | sed -n 's/.*\(GETGLOBAL\|SETGLOBAL\).*; \(.*\)$/\1 \2/p' | sort -u)
done
[ $status -eq 0 ] && echo "check-lua: $(ls "$dir"/*.lua | wc -l) files ok"
exit $status
