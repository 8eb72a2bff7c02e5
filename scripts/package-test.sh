#!/usr/bin/env bash
# The Debian package as an admin meets it (issue 14, point 7). Needs root (it installs the
# package on this machine, then purges it); CI runs it.
#   bash scripts/package-test.sh [BUILD_DIR]
# Makes the .deb from BUILD_DIR (default build/, the tree scripts/test.sh builds; it is
# configured, and built if it is not yet, with the default prefix /usr/local), installs it
# with apt, checks where every file went and that the conffiles are the files under
# /etc/loa, checks the installed config and runs the installed daemon with it (as systemd
# would: the package's own paths), sends an announcement through it, then removes the
# package (config kept) and purges it (config and state gone).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
  echo "package-test: needs root (it installs and purges the package)" >&2
  exit 2
fi
if dpkg-query -W -f='${Status}' loa 2>/dev/null | grep -q "install ok installed"; then
  echo "package-test: loa is installed on this machine already; not touching it" >&2
  exit 2
fi
bash "$root/scripts/install-deps.sh"
source "$root/scripts/trees.sh"
loa_tree plain
[ $# -gt 0 ] && build=$(cd "$1" && pwd)
work=$(mktemp -d)
daemon_pid=""
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null || true
  dpkg --purge loa >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "package-test: FAIL: $*" >&2; exit 1; }

echo "== build (default prefix) and package"
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" "${flags[@]}" >/dev/null
fi
grep -q '^CMAKE_INSTALL_PREFIX:PATH=/usr/local$' "$build/CMakeCache.txt" ||
  fail "$build is not configured with the default prefix: $(grep ^CMAKE_INSTALL_PREFIX "$build/CMakeCache.txt")"
cmake --build "$build" -j"$(nproc)" --target loa loa-gatewayd loa-fake-provider >/dev/null
rm -f "$build"/loa_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls "$build"/loa_*.deb)
echo "$deb"

echo "== install"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >/dev/null
for f in /usr/bin/loa /usr/bin/loa-gatewayd /etc/loa/loa.yaml /etc/loa/loa.example.yaml /etc/loa/templates/treo-co.yaml \
         /usr/lib/systemd/system/loa-gatewayd.service /usr/lib/systemd/system/loa-treo-co.timer \
         /usr/share/locale/vi/LC_MESSAGES/loa.mo /usr/share/doc/loa/README.md; do
  [ -e "$f" ] || fail "$f is not installed"
done
if dpkg -L loa | grep -q '^/usr/local'; then fail "files under /usr/local: $(dpkg -L loa | grep '^/usr/local' | head -3)"; fi
grep -q '^ExecStart=/usr/bin/loa-gatewayd ' /usr/lib/systemd/system/loa-gatewayd.service ||
  fail "the unit does not start /usr/bin/loa-gatewayd: $(grep ExecStart /usr/lib/systemd/system/loa-gatewayd.service)"
grep -q '@bindir@' /usr/lib/systemd/system/loa-*.service && fail "a unit kept @bindir@"
conffiles=$(dpkg-query -W -f='${Conffiles}' loa | awk '{print $1}' | sort)
etc=$(dpkg -L loa | grep '^/etc/loa/.*\.yaml$' | sort)
[ "$conffiles" = "$etc" ] || fail "conffiles differ from the files under /etc/loa: $(diff <(echo "$conffiles") <(echo "$etc"))"
if command -v systemd-analyze >/dev/null; then
  for u in /usr/lib/systemd/system/loa-*.service; do
    score=$(systemd-analyze security --offline=true "$u" 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
    echo "$(basename "$u"): exposure $score"
    awk -v s="$score" 'BEGIN { exit !(s != "" && s < 2.0) }' || fail "$u is exposed ($score)"
  done
fi
LANG=vi_VN.UTF-8 LC_ALL= loa --help | grep -q "Cách dùng" || fail "loa --help is not in Vietnamese (catalog not found)"

echo "== the installed config, checked and run"
loa-gatewayd --check --config /etc/loa/loa.yaml || fail "loa-gatewayd --check refused the packaged config"
# What systemd's StateDirectory= would make; a ward list and its name, as an admin adds them.
mkdir -p /var/lib/loa
cp "$root/wards/phuong-6.csv" /etc/loa/wards/
printf 'wards:\n  phuong-6: "Phường 6"\n' >> /etc/loa/loa.yaml
loa-gatewayd --config /etc/loa/loa.yaml >"$work/gw.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 1 100); do
  grep -q "webhook listening" "$work/gw.log" 2>/dev/null && break
  kill -0 "$daemon_pid" 2>/dev/null || { cat "$work/gw.log" >&2; fail "the daemon exited"; }
  sleep 0.1
done
job=$(loa send --yes --template treo-co --ward phuong-6 --var "dip_le=Quốc khánh 2/9" --var tu_ngay=01/09/2027 \
  --var den_ngay=03/09/2027 | tail -1)
for _ in $(seq 1 200); do
  loa status "$job" --json | grep -q '"state":"done"' && break
  sleep 0.1
done
loa status "$job" --json | grep -q '"state":"done"' || { cat "$work/gw.log" >&2; fail "job $job did not finish: $(loa status "$job" --json)"; }
residents=$(($(wc -l < "$root/wards/phuong-6.csv") - 1))
[ -s /var/lib/loa/outbox.jsonl ] || fail "nothing in the outbox"
echo "job $job done; outbox: $(wc -l < /var/lib/loa/outbox.jsonl) message(s) for $residents row(s)"
# The shipped reminders, made with the installed script and templates.
[ -f /usr/share/doc/loa/examples/reminders.sh ] || fail "the package ships no reminders.sh"
WARDS=phuong-6 sh /usr/share/doc/loa/examples/reminders.sh >"$work/reminders.out" 2>&1 ||
  { cat "$work/reminders.out" >&2; fail "the shipped reminders.sh failed"; }
# (Named in `loa remind list`, whatever the locale's words around them.)
for r in tet-lich-nghi gio-to-treo-co quoc-khanh-treo-co tiem-ngua-hang-thang; do
  loa remind list | grep -q "^$r  " || { cat "$work/reminders.out" >&2; fail "reminders.sh did not add $r"; }
done
echo "shipped reminders: $(loa remind list | grep -c '^[a-z]')"
kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "the daemon did not stop cleanly on SIGTERM"
daemon_pid=""

echo "== remove (config kept), purge (config and state gone)"
dpkg --remove loa >/dev/null
[ ! -e /usr/bin/loa-gatewayd ] || fail "remove left /usr/bin/loa-gatewayd"
[ -e /etc/loa/loa.yaml ] || fail "remove took the config"
dpkg --purge loa >/dev/null
[ ! -e /etc/loa ] || fail "purge left /etc/loa: $(ls -A /etc/loa)"
[ ! -e /var/lib/loa ] || fail "purge left /var/lib/loa"
echo "package-test: ok"
