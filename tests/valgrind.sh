#!/bin/sh
# tests/valgrind.sh — `tailscope report` under valgrind memcheck over every
# run in sample_runs/ (each directory holding traces.jsonl), plus the hostile
# fixtures, in three forms each (table, --per-sample --json, --csv).  Fails on
# any memcheck error or definite leak (--error-exitcode=9,
# --errors-for-leak-kinds=definite).  Skips (exit 0) when valgrind or the
# binary is missing or there is no run.
#   BUILD=build sh tests/valgrind.sh        (the normal, non-sanitizer build)
# Prints "ok N - ..." / "not ok N - ..."; logs go to $BUILD/valgrind/.
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/$BUILD/tailscope"
LOGS="$ROOT/$BUILD/valgrind"
n=0
fails=0
ok() { n=$((n + 1)); printf 'ok %d - %s\n' "$n" "$1"; }
notok() { n=$((n + 1)); printf 'not ok %d - %s\n' "$n" "$1"; fails=$((fails + 1)); }

if ! command -v valgrind >/dev/null 2>&1; then
	echo "# valgrind not installed: skipped"
	exit 0
fi
if [ ! -x "$BIN" ]; then
	echo "# $BIN not built: skipped (run make first)"
	exit 0
fi
runs=""
for d in "$ROOT"/sample_runs/*/; do
	[ -f "$d/traces.jsonl" ] && runs="$runs ${d%/}"
done
if [ -z "$runs" ]; then
	echo "# no runs under sample_runs/: skipped"
	exit 0
fi
[ -d "$ROOT/tests/data/hostile/run" ] && runs="$runs $ROOT/tests/data/hostile/run $ROOT/tests/data/hostile/nogt.jsonl"
mkdir -p "$LOGS"

# vg NAME ARGS...: one report under memcheck; exit status 9 = memcheck found
# something; 0/1/2 are report's own statuses (1: some lines skipped).
vg() {
	name=$1
	shift
	log="$LOGS/$name.log"
	valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
		--show-leak-kinds=definite --log-file="$log" "$BIN" report "$@" >/dev/null 2>&1
	st=$?
	if [ "$st" -le 2 ] && [ ! -s "$log" ]; then
		ok "valgrind report $* (exit $st)"
	else
		notok "valgrind report $* (exit $st; see $log)"
		sed -n '1,20p' "$log" | sed 's/^/#   /'
	fi
}

for r in $runs; do
	b=$(basename "$r")
	vg "$b" "$r"
	vg "$b-json" --per-sample --json "$r"
	vg "$b-csv" --csv "$r"
done
# all runs at once, on several threads
# shellcheck disable=SC2086
vg all --jobs 2 $runs
[ "$fails" -eq 0 ]
