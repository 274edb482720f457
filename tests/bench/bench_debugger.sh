#!/bin/sh
# bench_debugger — the debugger end to end in a tmux pane (issue 21), against
# `tailscope report --jobs 1` on the same run in the same bench run:
#   1. badges: from launch until every sample is analysed ("analysing N%"
#      gone from the status bar) on a run of --badge-samples samples x 12
#      steps, without and with a sort active (`s` pressed at once: the
#      samples pane is re-sorted as badges arrive); CPU seconds of the
#      debugger process (/proc/PID/stat) and wall, against report's.
#      Goal: <= 2x report's time, with a sort too.
#   2. first frame (bench_tui --first-frame, on a pseudo-terminal): from
#      exec until the status bar's "sample " is written, on bench_report's
#      run (1,000 x 1,500 steps, ~650 MB of trace lines: nothing more to
#      write), or with --ff-samples N on N samples x 100 steps (48,000: ~1 GB);
#      page cache warm; against reading the same bytes.  Goal: <= 0.5 s on 1 GB.
# (`n` key-to-frame on the demo run: bench_tui without arguments.)
# Medians of --rounds.  Prints numbers and ROW lines for the table of
# tests/bench/run.sh; no pass/fail.  Needs tmux; data cached under
# $BUILD/bench-data (written by bench_report --generate).
# usage: bench_debugger.sh [--badge-samples N] [--ff-samples N] [--rounds N]
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN="$ROOT/$BUILD/tailscope"
GEN="$ROOT/$BUILD/bench/bench_report"
DATA="$ROOT/$BUILD/bench-data"
BADGE_N=40000
FF_N=
ROUNDS=3
while [ $# -ge 2 ]; do
	case "$1" in
	--badge-samples) BADGE_N=$2 ;;
	--ff-samples) FF_N=$2 ;;
	--rounds) ROUNDS=$2 ;;
	esac
	shift 2
done
SOCK="tailscope-benchdbg-$$"
T() { tmux -u -L "$SOCK" -f /dev/null "$@"; }
TMPF=$(mktemp "${TMPDIR:-/tmp}/tailscope-benchdbg.XXXXXX")
trap 'tmux -u -L "$SOCK" kill-server >/dev/null 2>&1; rm -f "$TMPF"' EXIT
command -v tmux >/dev/null 2>&1 || { echo "tmux not installed: skipped"; exit 0; }
[ -x "$BIN" ] && [ -x "$GEN" ] || { echo "needs $BIN and $GEN"; exit 0; }
HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)

now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

gen() { # gen N STEPS -> the run's directory
	d="$DATA/debugger-$1x$2"
	if [ ! -f "$d/.complete" ]; then
		echo "bench_debugger: generating $1 samples x $2 steps in $d ..." >&2
		mkdir -p "$DATA"
		"$GEN" --generate "$d" "$1" "$2" >&2 && : >"$d/.complete"
	fi
	echo "$d"
}

start() { # start RUN: the debugger in a fresh session "b"
	T kill-server >/dev/null 2>&1
	T new-session -d -s b -x 160 -y 50 "env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 $BIN $1"
}
stop() { T send-keys -t b q; sleep 0.2; T kill-server >/dev/null 2>&1; }
screen() { T capture-pane -p -t b 2>/dev/null; }
pid_cpu() { awk -v hz="$HZ" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null; }

# badges RUN KEYS -> "WALL CPU"
badges() {
	t0=$(now)
	start "$1"
	seen=0 i=0
	while [ $i -lt 12000 ]; do
		case "$(screen)" in
		*analysing*)
			[ $seen = 0 ] && [ -n "$2" ] && T send-keys -t b "$2"
			seen=1 ;;
		*"sample "[0-9]*) [ $seen = 1 ] && break ;;
		esac
		sleep 0.05
		i=$((i + 1))
	done
	t1=$(now)
	pid=$(T display -p -t b '#{pane_pid}')
	c=$(pid_cpu "$pid")
	stop
	echo "$(sub "$t0" "$t1") $c"
}

report_run() { # report_run RUN -> "WALL CPU" (times: this subshell's children)
	t0=$(now)
	"$BIN" report --json -q --jobs 1 "$1" >/dev/null
	t1=$(now)
	times >"$TMPF" # not in a pipe: a pipe's subshell has no children
	echo "$(sub "$t0" "$t1") $(awk 'NR == 2 { gsub(/[ms]/, " "); print $1 * 60 + $2 + $3 * 60 + $4 }' "$TMPF")"
}

first_frame() { # first_frame RUN -> seconds
	t0=$(now)
	start "$1"
	i=0
	while [ $i -lt 3000 ]; do
		screen | grep -q "sample [0-9]" && break
		sleep 0.01
		i=$((i + 1))
	done
	t1=$(now)
	stop
	sub "$t0" "$t1"
}

# 1. badges
run=$(gen "$BADGE_N" 12) || exit 0
cat "$run/traces.jsonl" "$run/gt.json" >/dev/null
rw="" rc="" bw="" bc="" sw="" sc=""
r=0
while [ $r -lt "$ROUNDS" ]; do
	set -- $(report_run "$run"); rw="$rw $1" rc="$rc $2"
	set -- $(badges "$run" ""); bw="$bw $1" bc="$bc $2"
	set -- $(badges "$run" s); sw="$sw $1" sc="$sc $2"
	r=$((r + 1))
done
rw=$(echo "$rw" | median) rc=$(echo "$rc" | median)
bw=$(echo "$bw" | median) bc=$(echo "$bc" | median)
sw=$(echo "$sw" | median) sc=$(echo "$sc" | median)
echo "badges: $BADGE_N samples x 12 steps, $ROUNDS rounds (medians; wall / CPU seconds)"
echo "  report --jobs 1          $rw s / $rc s"
echo "  debugger, all badges     $bw s / $bc s   ratio $(ratio "$bc" "$rc") CPU, $(ratio "$bw" "$rw") wall (goal <= 2)"
echo "  debugger, sorted (s)     $sw s / $sc s   ratio $(ratio "$sc" "$rc") CPU, $(ratio "$sw" "$rw") wall (goal <= 2)"
echo "ROW|badges ${BADGE_N} samples, CPU s|$bc|report --jobs 1 $rc|$(ratio "$bc" "$rc")|<= 2"
echo "ROW|badges sorted (s), CPU s|$sc|report --jobs 1 $rc|$(ratio "$sc" "$rc")|<= 2"

# 2. first frame (bench_tui: pty timestamps)
if [ -z "$FF_N" ] && [ -f "$DATA/report-1000x1500/.complete" ]; then
	run="$DATA/report-1000x1500" FF_N=1000 FF_STEPS=1500 # bench_report's run: nothing more written
else
	FF_STEPS=100
	run=$(gen "${FF_N:-48000}" 100) || exit 0
fi
echo "first frame: ${FF_N:-48000} samples x $FF_STEPS steps, $(du -m "$run/traces.jsonl" | cut -f1) MB of trace lines, gt.json $(du -m "$run/gt.json" | cut -f1) MB"
"$ROOT/$BUILD/bench/bench_tui" --bin "$BIN" --first-frame "$run" --rounds "$ROUNDS"

# 3. png --sample of the run's LAST sample (the whole file scanned, issue
# 21: the index scan tests the reference while it has each line, and stops
# at the first match), and of sample 1 (mostly loading gt.json), against
# reading the trace lines (cat); --image: the bench run has no images.
img=$(ls "$ROOT"/sample_runs/*/images/*.png 2>/dev/null | head -n 1)
last=$(tail -n 1 "$run/traces.jsonl" | grep -o '"image_id": *[0-9]*' | grep -o '[0-9]*$')
first=$(head -n 1 "$run/traces.jsonl" | grep -o '"image_id": *[0-9]*' | grep -o '[0-9]*$')
if [ -n "$img" ] && [ -n "$last" ]; then
	png_time() { # png_time ID -> seconds
		t0=$(now)
		"$BIN" png "$run" --sample "$1" --image "$img" -o "$TMPF.png" >/dev/null 2>&1
		t1=$(now)
		sub "$t0" "$t1"
	}
	cw="" lw="" fw=""
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		t0=$(now); cat "$run/traces.jsonl" >/dev/null; t1=$(now); cw="$cw $(sub "$t0" "$t1")"
		lw="$lw $(png_time "$last")"
		fw="$fw $(png_time "$first")"
		r=$((r + 1))
	done
	rm -f "$TMPF.png"
	cw=$(echo "$cw" | median) lw=$(echo "$lw" | median) fw=$(echo "$fw" | median)
	echo "png --sample: $(du -m "$run/traces.jsonl" | cut -f1) MB of trace lines, $ROUNDS rounds (medians, wall)"
	echo "  read the trace lines (cat)     $cw s"
	echo "  png --sample $last (last)     $lw s   ratio $(ratio "$lw" "$cw") (goal <= 1 s)"
	echo "  png --sample $first (first)        $fw s   (gt.json load and one sample)"
	echo "ROW|png --sample last, s|$lw|cat $cw|$(ratio "$lw" "$cw")|<= 1 s"
fi
