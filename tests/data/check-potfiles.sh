#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Every source file with translatable strings must be in po/POTFILES.in, and
# every file listed there must exist.
set -euo pipefail
src=$1
cd "$src"
status=0
listed=$(grep -v '^#' po/POTFILES.in | sed '/^$/d')
for f in $listed; do
  [ -f "$f" ] || { echo "po/POTFILES.in lists $f, which does not exist"; status=1; }
done
while IFS= read -r f; do
  grep -qxF "$f" <<<"$listed" || { echo "$f has translatable strings but is not in po/POTFILES.in"; status=1; }
done < <(grep -lE '(^|[^A-Za-z0-9_])N?_ ?\("|translatable="yes"' src -r --include='*.c' --include='*.ui' | sort)
[ $status -eq 0 ] && echo "POTFILES.in lists all $(wc -l <<<"$listed") files"
exit $status
