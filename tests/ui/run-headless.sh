#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# run-headless.sh XVFB DBUS_RUN_SESSION SESSION_CONF LSAN_SUPP COMMAND...
#
# Runs COMMAND on an X server of its own (Xvfb, 1280×800, 24 bits) and a
# session bus of its own. Xvfb picks a free display itself (-displayfd), so
# tests started in parallel never race for one, as `xvfb-run -a` can.
# LSAN_SUPP is added to the LeakSanitizer suppressions LSAN_OPTIONS names.
set -eu

xvfb=$1 dbus_run_session=$2 session_conf=$3 lsan_supp=$4
shift 4

dir=$(mktemp -d "${TMPDIR:-/tmp}/refract-ui-test.XXXXXX")
xvfb_pid=
cleanup () {
  if [ -n "$xvfb_pid" ]; then
    kill "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# LeakSanitizer reads one suppressions file: the suite's and ours, merged.
case ":${LSAN_OPTIONS:-}" in
  *:suppressions=*)
    suite_supp=$(printf '%s\n' "$LSAN_OPTIONS" | sed -n 's/\(^\|.*:\)suppressions=\([^:]*\).*/\2/p')
    cat "$suite_supp" "$lsan_supp" >"$dir/lsan.supp"
    LSAN_OPTIONS=$(printf '%s\n' "$LSAN_OPTIONS" | sed "s#\(^\|:\)suppressions=[^:]*#\1suppressions=$dir/lsan.supp#")
    ;;
  *)
    LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$lsan_supp"
    ;;
esac
export LSAN_OPTIONS

# GTK + libvirt + spice-client-glib + VTE make more than 2048 quarks, and GLib
# abandons its first quark block (allocated in its library constructor) by
# design. GLib has no frame pointers, so only a full unwind lets lsan.supp's
# `leak:_dl_init` recognise that block; 10 frames deep keeps it affordable.
if [ -n "${ASAN_OPTIONS:-}" ]; then
  ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0:malloc_context_size=10"
  export ASAN_OPTIONS
fi

"$xvfb" -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset \
  3>"$dir/display" 2>"$dir/xvfb.log" &
xvfb_pid=$!

# Xvfb writes the display number once it accepts clients; 10 s at most.
i=0
while ! grep -q '^[0-9][0-9]*$' "$dir/display" 2>/dev/null; do
  if ! kill -0 "$xvfb_pid" 2>/dev/null || [ "$i" -ge 200 ]; then
    echo "Bail out! Xvfb did not start"
    cat "$dir/xvfb.log" >&2
    exit 1
  fi
  i=$((i + 1))
  sleep 0.05
done
DISPLAY=":$(cat "$dir/display")"
export DISPLAY
unset WAYLAND_DISPLAY

# not exec: the trap must stop Xvfb when the test ends
status=0
"$dbus_run_session" --config-file="$session_conf" -- "$@" || status=$?
exit "$status"
