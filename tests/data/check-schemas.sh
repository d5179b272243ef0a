#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-schemas.sh GLIB_COMPILE_SCHEMAS SCHEMA_DIR SCHEMA_FILE...
#
# glib-compile-schemas succeeds on a directory without any schema in it, so
# first make sure every expected schema file is really in SCHEMA_DIR, then
# compile the directory with --strict --dry-run.

set -u

if [ $# -lt 3 ]; then
  echo "usage: $0 GLIB_COMPILE_SCHEMAS SCHEMA_DIR SCHEMA_FILE..." >&2
  exit 2
fi

compiler=$1
dir=$2
shift 2

status=0
for schema in "$@"; do
  if [ ! -f "$dir/$schema" ]; then
    echo "FAIL: $schema is not in $dir" >&2
    status=1
  fi
done
[ $status -eq 0 ] || exit $status

exec "$compiler" --strict --dry-run "$dir"
