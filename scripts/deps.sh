#!/usr/bin/env bash
# Installs the Debian packages Axon needs to build, test and benchmark. Idempotent: does nothing when all are present.
set -euo pipefail

build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config clang libclang-rt-14-dev
  libboost1.74-dev libssl-dev libc-ares-dev libsqlite3-dev libexpat1-dev libsodium-dev
  libmd4c-dev libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev openssl zlib1g-dev
)
test_pkgs=(python3 swaks curl procps isync fetchmail)

want=("${build_pkgs[@]}")
if [ "${1:-}" = "--test" ]; then want+=("${test_pkgs[@]}"); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
