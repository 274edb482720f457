#!/bin/sh
# The debugger as a new user meets it (issue 14, items 4-8, 10, 14): at
# 80x24, the first screen, arguments that are not runs, status messages
# that are never cut and expire, sort/filter, scrolling help and metrics.
# Fixture tests/data/tui/run-a (see test_tui.sh).
TUI_TEST=first
. "$(dirname "$0")/lib.sh"
status_line() { screen "$1" | tail -1; }

# ---- item 5: a README among the runs is skipped, not listed as a run
mkdir -p "$TMP/runs"
printf '# Sample runs\n\nnot traces\n' >"$TMP/runs/README.md"
start rd 120 30 -- "$TMP/runs/README.md" "$FIX/run-a" "$FIX/run-c"
check "README.md among runs: the comparison has the 2 real runs" wait_for rd "Compare 2 runs"
check "README.md among runs: the reason, whole, in the message line" \
	wait_for rd "README.md:1: not a traces file (neither JSON Lines nor an SSE recording); skipped"
check "README.md among runs: no row for it" sh -c "! tmux -u -L $SOCK capture-pane -p -t rd | grep -qE '^.  README'"
keys rd q
check "README.md among runs: exit 1 (partly)" status_is rd 1

# ---- item 7 and 10: 80x24, the first screen, a long note
start p 80 24 -- "$FIX/run-a"
check "80x24: first screen shows '? help' in the status bar" wait_re p "│ \? help$"
keys p P
check "P without pixel support: the message line names TAILSCOPE_PIXELS" \
	wait_for p "(TAILSCOPE_PIXELS=sixel|kitty|iterm2 forces one)"
check "P: the message starts whole on the row above" \
	wait_for p " pixel view: not supported by this terminal: no sixel, kitty or iTerm2 graphics"
keys p j
check "the next key ends the message" wait_gone p "TAILSCOPE_PIXELS"
keys p P
wait_for p "TAILSCOPE_PIXELS" >/dev/null
check "a message expires by itself (5 s)" wait_gone p "TAILSCOPE_PIXELS"
keys p q
check "80x24: exit 0" status_is p 0

[ "$failed" -eq 0 ]
