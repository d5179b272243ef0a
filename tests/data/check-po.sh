#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-po.sh PO_DIR [MSGFMT]
#
# Checks every translation listed in PO_DIR/LINGUAS with msgfmt -c
# --check-format. Fails when LINGUAS is missing or lists nothing, or when a
# listed .po file does not exist.

set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 PO_DIR [MSGFMT]" >&2
  exit 2
fi

po_dir=$1
msgfmt=${2:-msgfmt}
linguas="$po_dir/LINGUAS"

if [ ! -f "$linguas" ]; then
  echo "FAIL: $linguas does not exist" >&2
  exit 1
fi

# One or more language codes per line; '#' starts a comment.
langs=$(sed -e 's/#.*//' "$linguas" | tr -s ' \t' '\n\n' | sed -e '/^$/d')

if [ -z "$langs" ]; then
  echo "FAIL: $linguas lists no language" >&2
  exit 1
fi

status=0
count=0
for lang in $langs; do
  po="$po_dir/$lang.po"
  count=$((count + 1))
  if [ ! -f "$po" ]; then
    echo "FAIL: $lang is listed in LINGUAS but $po is missing" >&2
    status=1
    continue
  fi
  if "$msgfmt" -c --check-format -o /dev/null "$po"; then
    echo "ok: $lang"
  else
    echo "FAIL: $po" >&2
    status=1
  fi
done

echo "$count translation(s) checked"
exit $status
