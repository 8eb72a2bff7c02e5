#!/usr/bin/env bash
# Installs Loa's build and run dependencies from Debian 12 packages, only if missing.
set -euo pipefail
packages=(build-essential cmake pkg-config python3 libcurl4-openssl-dev libhiredis-dev libyaml-cpp-dev libfmt-dev
  libspdlog-dev doctest-dev nlohmann-json3-dev libcpp-httplib-dev libicu-dev libphonenumber-dev
  libkainjow-mustache-dev libsystemd-dev libmicrohttpd-dev libssl-dev zlib1g-dev libbrotli-dev redis-server curl procps lua5.1 libcli11-dev libzip-dev libexpat1-dev libxlsxwriter-dev gettext)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
