#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# README command 2: install what is missing, build with -Werror, run every suite
# (data, unit, ui under Xvfb, integration with a private libvirtd + QEMU), then
# the same again built with AddressSanitizer and UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."

bash build-aux/deps.sh test

setup () {
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    meson configure "$dir" "$@"
  else
    meson setup "$dir" "$@"
  fi
}

run_suites () {
  local dir=$1
  meson compile -C "$dir"
  meson test -C "$dir" --print-errorlogs --num-processes 2
}

setup build -Dwerror=true -Dbuildtype=debugoptimized
run_suites build

setup build-asan -Dwerror=true -Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
run_suites build-asan

count () {
  python3 - "$@" <<'PYEOF'
import json, sys
ok = bad = skip = 0
for path in sys.argv[1:]:
    for line in open(path):
        result = json.loads(line).get("result")
        if result in ("OK", "EXPECTEDFAIL"):
            ok += 1
        elif result == "SKIP":
            skip += 1
        else:
            bad += 1
print(f"{ok} passed, {bad} failed" + (f", {skip} skipped" if skip else ""))
PYEOF
}

echo "All suites passed, plain and with address,undefined sanitizers."
count build/meson-logs/testlog.json build-asan/meson-logs/testlog.json
