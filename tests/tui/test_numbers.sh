#!/bin/sh
# Nothing cut silently, every number true: the debugger at 50x12 ... 300x100
# on a sample run and a real-model run, the main screen (records pane at its
# end, the P(close) row) and the metrics panel (m).  tests/tui/check_numbers.py
# compares every coordinate tuple with the records of the trace line (read
# from the raw JSON), and every P(close), stop_step, tail_start and P/R/F1
# with report --json (and the per-boundary P(close) with tests/pclose_ref.py,
# an independent implementation).  A cut number would not match: the check
# fails unless the cut is marked with "…".
TUI_TEST=numbers
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || { echo "# python3 missing: skipped"; exit 0; }
NOTES=TAILSCOPE_NOTE_SECONDS=0

# numbers SESSION MODE WHAT: the settled screen through check_numbers.py
# (uses run, line, nm, size; adds to total)
numbers() {
	settle_plain "$1"
	screen "$1" >"$TMP/$1.$2"
	out=$(python3 "$ROOT/tests/tui/check_numbers.py" "$TMP/$1.$2" "$ROOT/$run/traces.jsonl" "$line" \
	      "$TMP/$nm.json" "$TMP/$nm.ref" "$2")
	check "$nm $size $3: every number whole and true ($out)" [ "${out#checked }" != "$out" ]
	[ "${out#checked }" != "$out" ] && total=$((total + ${out#checked }))
}

# one RUN LINE SAMPLE_INDEX(1-based, file order = id order here) NAME
one() {
	run=$1 line=$2 idx=$3 nm=$4
	"$BIN" report --json --per-sample "$ROOT/$run" >"$TMP/$nm.json" 2>/dev/null
	python3 "$ROOT/tests/pclose_ref.py" "$ROOT/$run/traces.jsonl" >"$TMP/$nm.ref"
	total=0
	for size in 50x12 80x24 120x40 200x60 300x100; do
		c=${size%x*} r=${size#*x}
		s="$nm-$size"
		start "$s" "$c" "$r" $NOTES -- "$ROOT/$run"
		wait_for "$s" "sample " >/dev/null
		keys "$s" g
		wait_for "$s" "sample 1/" >/dev/null
		k=1
		while [ $k -lt "$idx" ]; do keys "$s" j; k=$((k + 1)); done
		wait_for "$s" "sample $idx/" >/dev/null
		keys "$s" Tab G
		numbers "$s" main "main screen"
		[ "$c" -ge 120 ] && check "$nm $size: P(close) at tail start shown" \
			grep -q "at tail start (after #" "$TMP/$s.main"
		keys "$s" m
		wait_for "$s" "metrics" >/dev/null
		numbers "$s" metrics "metrics panel"
		[ "$r" -ge 40 ] && check "$nm $size: stop_step and P(close) rows in full" \
			grep -q "(stop_step [0-9]*)" "$TMP/$s.metrics"
		T kill-session -t "$s"
	done
	check "$nm: numbers compared on screen ($total)" [ "$total" -ge 40 ]
}

one sample_runs/lora-qkvo-r16 4 4 qkvo
one tests/data/realmodel/dense2-final 2 2 real
[ "$failed" -eq 0 ]
