#!/bin/sh
# The convention check in the debugger: a run whose numbers do not fit its
# convention (tests/data/syntaxes/px: qwen3 with a record [1200,10,1500,20],
# above 1000 and outside the 200-wide image; see tests/cli/test_syntaxes.sh)
# says so once, as a session message, when its analysis completes (the
# status bar shows it; on exit it is printed with the other messages), with
# the same text `tailscope report` prints.  A run that fits says nothing.
TUI_TEST=convention
. "$(dirname "$0")/lib.sh"

PX="$ROOT/tests/data/syntaxes/px"
DS="$ROOT/tests/data/syntaxes/ds"
want="px: coordinates may not fit convention qwen3 (relative 0-1000, x first): 1 of 2 records (50.0%) have values above 1000"

start px 250 30 -- "$PX"
check "mis-scaled run: the warning is the status message" wait_for px "$want"
keys px q
check "mis-scaled run: q exits 0" status_is px 0
T capture-pane -p -J -S - -t px >"$TMP/px.txt"
check "mis-scaled run: printed once on exit" \
	sh -c "[ \$(grep -cF 'tailscope: $want' '$TMP/px.txt') -eq 1 ]"
"$BIN" report "$PX" 2>"$TMP/report.err" >/dev/null
check "the same text as report's warning" \
	sh -c "grep -F 'coordinates may not fit' '$TMP/report.err' | sed 's/^tailscope: [^:]*: //' >'$TMP/a'; \
	       grep -F 'tailscope: px: coordinates' '$TMP/px.txt' | sed 's/^tailscope: px: //' >'$TMP/b'; \
	       [ -s '$TMP/a' ] && cmp -s '$TMP/a' '$TMP/b'"

start ds 250 30 -- "$DS"
check "fitting run: opens" wait_for ds "repeat-stop:"
keys ds q
check "fitting run: q exits 0" status_is ds 0
T capture-pane -p -S - -t ds >"$TMP/ds.txt"
check "fitting run: no convention message" sh -c "! grep -qF 'may not fit' '$TMP/ds.txt'"

[ "$failed" -eq 0 ]
