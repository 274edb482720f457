#!/bin/sh
# Runs every benchmark binary in $BUILD/bench; each prints its medians and
# ratios against a baseline measured in the same run.  No pass/fail.
BUILD=${BUILD:-build}
for b in "$BUILD"/bench/*; do
	[ -x "$b" ] || continue
	echo "== $(basename "$b")"
	"$b" || echo "(benchmark $(basename "$b") failed)"
done
echo "== bytes written to the terminal (tmux pipe-pane)"
BUILD=$BUILD sh tests/tui/bench_bytes.sh || echo "(bench_bytes failed)"
