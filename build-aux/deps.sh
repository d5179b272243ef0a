#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs the Debian 12 packages Refract needs that are missing.
#   deps.sh run    build + runtime packages
#   deps.sh test   build + runtime + test packages (libvirtd, QEMU, Xvfb, validators)
#   deps.sh bench  test packages + what benchmarks compare against (remote-viewer)
# Works as root or as a user with sudo; installs nothing when all is there.
set -euo pipefail

build_pkgs=(
  meson ninja-build pkg-config gcc gettext itstool
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev
  libvirt-dev libvirt-glib-1.0-dev libxml2-dev libosinfo-1.0-dev
  libspice-client-glib-2.0-dev
  libvte-2.91-gtk4-dev
  libusb-1.0-0-dev
  libjson-glib-dev
)
runtime_pkgs=(
  libvirt0 libvirt-clients osinfo-db adwaita-icon-theme dbus
  fonts-cantarell fonts-dejavu-core
)
run_only_pkgs=(
  yelp
)
test_pkgs=(
  libvirt-daemon-system qemu-system-x86 xvfb xauth dbus-x11
  desktop-file-utils appstream yelp-tools libxml2-utils python3
  iproute2 util-linux procps
  libspice-server-dev
  qemu-utils ovmf swtpm swtpm-tools xorriso
  jackd2
)
bench_pkgs=(
  virt-viewer
)

mode=${1:-run}
case "$mode" in
  run) wanted=("${build_pkgs[@]}" "${runtime_pkgs[@]}" "${run_only_pkgs[@]}") ;;
  test) wanted=("${build_pkgs[@]}" "${runtime_pkgs[@]}" "${test_pkgs[@]}") ;;
  bench) wanted=("${build_pkgs[@]}" "${runtime_pkgs[@]}" "${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "usage: $0 run|test|bench" >&2; exit 2 ;;
esac

missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi

echo "Installing: ${missing[*]}"
"${sudo[@]}" apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
  -o Dpkg::Options::=--force-confold "${missing[@]}"
