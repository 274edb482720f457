#!/bin/sh
# Bytes the debugger writes to the terminal (what an SSH link carries), on
# sample_runs/lora-qkvo-r16 in a 160x50 tmux pane, captured with pipe-pane:
#   - per replay step inside a record (no box appears: image unchanged)
#   - per step that completes a record (a box appears: image redrawn)
#   - per sample change (new image)
# for a 256-colour terminal (xterm-256color) and a direct-colour one
# (xterm-direct).  Goal from the issue: <= 2 KB per step with the image
# unchanged.  Prints numbers only (no pass/fail); needs tmux.
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN="$ROOT/$BUILD/tailscope"
RUN="$ROOT/sample_runs/lora-qkvo-r16"
SOCK="tailscope-bench-$$"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tailscope-bench.XXXXXX")
T() { tmux -u -L "$SOCK" -f /dev/null "$@"; }
trap 'tmux -u -L "$SOCK" kill-server >/dev/null 2>&1; rm -rf "$TMP"' EXIT
command -v tmux >/dev/null 2>&1 || { echo "tmux not installed: skipped"; exit 0; }
[ -x "$BIN" ] && [ -d "$RUN" ] || { echo "needs $BIN and $RUN"; exit 0; }

wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		T capture-pane -p -t b | grep -qF -- "$1" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	echo "timeout waiting for '$1'" >&2
	return 1
}
bytes() { wc -c <"$TMP/out" | tr -d ' '; }

for term in xterm-256color xterm-direct; do
	infocmp "$term" >/dev/null 2>&1 || { echo "$term: no terminfo entry, skipped"; continue; }
	: >"$TMP/out"
	T new-session -d -s b -x 160 -y 50 "env TERM=$term LANG=C.UTF-8 LC_ALL=C.UTF-8 $BIN $RUN"
	wait_for "repeat-stop: off" || continue
	T pipe-pane -o -t b "cat >> '$TMP/out'"
	# sample 1: record 1 spans steps 2..17 (1-based); step 1 -> 6 stays inside it
	T send-keys -t b Home
	wait_for "step 1/213"
	sleep 0.3
	b0=$(bytes)
	for s in 2 3 4 5 6; do T send-keys -t b l; wait_for "step $s/213"; done
	sleep 0.3
	b1=$(bytes)
	# next record boundary: a box appears
	T send-keys -t b "]"
	wait_for "Records 1/9"
	sleep 0.3
	b2=$(bytes)
	T send-keys -t b n
	wait_for "sample 2/24"
	sleep 0.5
	b3=$(bytes)
	T send-keys -t b n
	wait_for "sample 3/24"
	sleep 0.5
	b4=$(bytes)
	echo "$term: per step, image unchanged: $(((b1 - b0) / 5)) B;" \
		"step completing a record: $((b2 - b1)) B;" \
		"sample change: $((b3 - b2)) B, $((b4 - b3)) B"
	T kill-session -t b
done
