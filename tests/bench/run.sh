#!/bin/sh
# Runs every benchmark binary in $BUILD/bench, then the end-to-end shell
# benches (the debugger in tmux, bytes written to the terminal); each prints
# its medians against a baseline measured in the same run.  No pass/fail.
# At the end, one table of every "ROW|measure|value|baseline|ratio|goal"
# line the benches printed, and the wall time of the whole run.  Arguments
# are passed to bench_debugger.sh (--badge-samples N --ff-samples N --rounds N).
BUILD=${BUILD:-build}
out=$(mktemp "${TMPDIR:-/tmp}/tailscope-bench.XXXXXX")
trap 'rm -f "$out"' EXIT
t0=$(date +%s)
{
	for b in "$BUILD"/bench/*; do
		[ -x "$b" ] || continue
		echo "== $(basename "$b")"
		"$b" || echo "(benchmark $(basename "$b") failed)"
	done
	echo "== coco_baseline (report vs pycocotools COCOeval, whole process; where pycocotools imports)"
	python3 tests/bench/coco_baseline.py --bin "$BUILD/tailscope" --dir "$BUILD/bench-data" ||
		echo "(coco_baseline failed)"
	echo "== bench_debugger (the debugger in tmux and on a pty)"
	BUILD=$BUILD sh tests/bench/bench_debugger.sh "$@" || echo "(bench_debugger failed)"
	echo "== bytes written to the terminal (tmux pipe-pane)"
	BUILD=$BUILD sh tests/tui/bench_bytes.sh || echo "(bench_bytes failed)"
} 2>&1 | tee "$out" | grep -v '^ROW|'
echo "== one table (this run; medians; ratio = value / baseline)"
awk -F'|' '/^ROW\|/ { printf "  %-42s %12s  %-26s %9s  %s\n", $2, $3, $4, $5, $6 }
	BEGIN { printf "  %-42s %12s  %-26s %9s  %s\n", "measure", "value", "baseline", "ratio", "goal" }' "$out"
times >"$out" # CPU of everything the bench ran (user+sys), next to the wall time
echo "  (whole bench: $(($(date +%s) - t0)) s wall, $(awk 'NR == 2 { gsub(/[ms]/, " "); printf "%.0f", $1 * 60 + $2 + $3 * 60 + $4 }' "$out") s CPU)"
