# lib.sh — shared by tests/hostile/test_*.sh (sourced; not a test itself).
# TAP-style lines "ok N - ..." / "not ok N - ..." like tests/cli.
#   bounded SECS NAME CMD...  runs CMD under timeout SECS with stdout/stderr in
#                             $T/NAME.out / NAME.err; sets RC, WALL (seconds) and
#                             PEAK_KB (peak resident memory, /usr/bin/time -v's
#                             "Maximum resident set size"; 0 when not installed)
#   check DESC CMD...         one test line
#   within SECS / mem_under KB  (after bounded): wall time / peak memory bounds
#   sums DIR... / stray DIR   checksums of every file; files not in a list
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$ROOT/$BUILD/tailscope}
n=0
fails=0
ok() { n=$((n + 1)); printf 'ok %d - %s\n' "$n" "$1"; }
notok() { n=$((n + 1)); printf 'not ok %d - %s\n' "$n" "$1"; fails=$((fails + 1)); }
check() { d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }

T=$(mktemp -d "${TMPDIR:-/tmp}/tailscope-hostile.XXXXXX")
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if [ ! -x "$BIN" ]; then
	notok "binary $BIN exists (run make first)"
	exit 1
fi
# An ASan build keeps shadow memory and quarantine: a larger memory bound.
case "$BUILD" in *asan*) MEM_KB=${MEM_KB:-600000} ;; *) MEM_KB=${MEM_KB:-150000} ;; esac

bounded() {
	secs=$1
	name=$2
	shift 2
	t0=$(date +%s.%N)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -v -o "$T/$name.time" timeout -k 2 "$secs" "$@" \
			>"$T/$name.out" 2>"$T/$name.err"
		RC=$?
		PEAK_KB=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$T/$name.time")
	else
		timeout -k 2 "$secs" "$@" >"$T/$name.out" 2>"$T/$name.err"
		RC=$?
		PEAK_KB=0
	fi
	t1=$(date +%s.%N)
	WALL=$(echo "$t0 $t1" | awk '{printf "%.2f", $2 - $1}')
	PEAK_KB=${PEAK_KB:-0}
}
within() { awk -v w="$WALL" -v s="$1" 'BEGIN { exit !(w < s) }'; }
mem_under() { [ "$PEAK_KB" -lt "$1" ]; }
err_has() { grep -q -- "$2" "$T/$1.err"; }

# sums DIR...: "sha256  path" of every regular file under DIR (sorted)
sums() { find "$@" -type f -print0 | sort -z | xargs -0 sha256sum; }
# listing DIR: every name under DIR (files, links, directories), sorted
listing() { (cd "$1" && find . | sort); }

# start_server MODE [ARGS...]: tests/hostile/slow_server.py on 127.0.0.1;
# sets PORT (empty when it did not start) and logs requests to $T/MODE.log
start_server() {
	mode=$1
	shift
	rm -f "$T/$mode.port"
	python3 "$ROOT/tests/hostile/slow_server.py" --mode "$mode" --port-file "$T/$mode.port" \
		--log "$T/$mode.log" --max-seconds 120 "$@" 2>"$T/$mode.server.err" &
	PIDS="$PIDS $!"
	i=0
	while [ ! -s "$T/$mode.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	PORT=$(cat "$T/$mode.port" 2>/dev/null)
}

finish() {
	[ "$fails" -eq 0 ]
	exit $?
}
