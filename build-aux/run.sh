#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# README command 1: install what is missing, build, start Refract from the build tree.
set -euo pipefail
cd "$(dirname "$0")/.."

bash build-aux/deps.sh run
if [ -f build/build.ninja ]; then
  meson configure build -Dwerror=false >/dev/null
else
  meson setup build
fi
meson compile -C build

export GSETTINGS_SCHEMA_DIR="$PWD/build/data${GSETTINGS_SCHEMA_DIR:+:$GSETTINGS_SCHEMA_DIR}"
exec build/src/refract "$@"
