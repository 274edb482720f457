#!/bin/sh
# End-to-end: a click reaches the view that drew the region (view.h: each
# pane and screen records its regions and has a click op).  Every clickable
# view once: the samples list, the records pane, the timeline's sparkline,
# the comparison's run rows and the diff's rows.  Clicks are xterm SGR
# mouse reports (column;row, 1-based), which xterm-256color's kmous
# announces.  Layout at 160x50 (ui_layout_compute): samples 34 columns,
# records the last 48 (from column 113), timeline rows 41..49 with the
# sparkline on row 49 after " logp " (6 columns); the comparison and the
# diff list their rows from screen row 4.
TUI_TEST=mouse
. "$(dirname "$0")/lib.sh"
click() { keys "$1" -l "$(printf '\033[<0;%d;%dM\033[<0;%d;%dm' "$2" "$3" "$2" "$3")"; }

start m 160 50 -- "$FIX/run-a"
wait_for m "sample 1/5" >/dev/null
wait_re m "^line 5 +error" >/dev/null
click m 3 4                       # samples row 2 (screen row 4)
check "click on a sample row selects it" wait_for m "sample 2/5 │ image 2 │ step 91/91"
click m 120 3                     # records row 1 (under the header): record 1 completes at step 12
check "click on a record selects it and moves the replay there" wait_for m "step 12/91"
check "the records pane shows the record 1 visible" wait_for m "Records 1/8 shown"
click m 7 49                      # sparkline column 0 (screen row 49): step 1
check "click on the sparkline moves the replay cursor" wait_for m "step 1/91"
keys m q
status_is m 0 >/dev/null

start c 160 50 -- "$FIX/run-a" "$FIX/run-c"
wait_re c "^.  tui-fixture-c +[0-9]" >/dev/null
click c 5 5                       # second run's row
check "click on a run row selects it in the comparison" wait_for c "compare: run 2/2"
keys c d
wait_for c "diff: row 1/5" >/dev/null
click c 5 6                       # third diff row
check "click on a diff row selects it" wait_for c "diff: row 3/5"
keys c Enter
check "Enter then opens the clicked row's sample (line 2 in run B)" wait_for c "sample 2/5"
keys c q
status_is c 0 >/dev/null

reports=$(ls "$TMP"/san-* "$TMP"/tmpdir/tailscope-stderr-* 2>/dev/null)
if [ -n "$reports" ]; then
	for f in $reports; do sed 's/^/# /' "$f" | head -40; done
fi
check "no sanitizer report from any run" test -z "$reports"

[ "$failed" -eq 0 ]
