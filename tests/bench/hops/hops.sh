#!/bin/sh
# hops.sh — how far a key press travels (issue 20): for the keys n, j (the
# samples list focused) and r, the call stack from the loop (driver.c's
# loop_key, which does what app.c's loop does per key: app_key, then
# ui_draw) to where the key acts (listcur_move, session_show,
# session_set_policy) and to the panes' draws, read from gdb backtraces of
# an -O0 build (no inlining); hops.py counts the frames and the files.
#   sh tests/bench/hops/hops.sh        (from the repository root; needs gdb)
# Not part of `make test`: a measurement for the record, not an assertion.
set -e
B=build/dbg
D=tests/bench/hops
make --no-print-directory BUILD=$B OPT=-O0 $B/tailscope >/dev/null
cc -std=c11 -O0 -g -D_DEFAULT_SOURCE -Ianalysis -Irender -Itui -Itui/model -Itui/cli -Itui/opt \
  $(pkg-config --cflags ncursesw chafa libcjson) $D/driver.c -o $B/hops_driver \
  $B/libtstui.a $B/libtsrender.a $B/libtsanalysis.a \
  $(pkg-config --libs ncursesw chafa libcjson libcurl zlib libzstd) -lm
for k in n j r; do
  echo "== key $k"
  gdb -q -batch -x $D/hops.gdb --args $B/hops_driver tests/data/tui/run-a "$k" > $B/hops_$k.txt 2>&1
  python3 $D/hops.py $B/hops_$k.txt
done
