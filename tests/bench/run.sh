#!/bin/sh
# Runs every benchmark binary in $BUILD/bench; each prints its medians and
# ratios against a baseline measured in the same run.  No pass/fail.  At the
# end, every ratio line again, as one table.
BUILD=${BUILD:-build}
out=$(mktemp "${TMPDIR:-/tmp}/tailscope-bench.XXXXXX")
trap 'rm -f "$out"' EXIT
for b in "$BUILD"/bench/*; do
	[ -x "$b" ] || continue
	echo "== $(basename "$b")"
	"$b" || echo "(benchmark $(basename "$b") failed)"
done 2>&1 | tee "$out"
echo "== bytes written to the terminal (tmux pipe-pane)"
BUILD=$BUILD sh tests/tui/bench_bytes.sh || echo "(bench_bytes failed)"
echo "== ratios (this run)"
awk '/^== /{b=$2} /ratio/{sub(/^ +/, ""); printf "  %-16s %s\n", b, $0}' "$out"
