#!/bin/sh
# tests/fuzz/run.sh SECONDS HARNESS... — runs each libFuzzer harness from
# $FUZZ_BUILD (default build-fuzz) for SECONDS on its seed corpus
# (tests/fuzz/corpus/NAME, read-only) plus its working corpus
# ($FUZZ_BUILD/corpus/NAME, where new inputs go), with the JSON dictionary
# where one applies.  One line per harness:
#   fuzz_trace: 1234567 runs in 60 s, 812 corpus inputs, ok
#   fuzz_trace: CRASH (see build-fuzz/logs/fuzz_trace.log, build-fuzz/crashes/)
# Exit status 1 when any harness crashed, timed out or ran out of memory.
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
secs=${1:?usage: run.sh SECONDS HARNESS...}
shift
rc=0
mkdir -p "$FUZZ_BUILD/logs" "$FUZZ_BUILD/crashes"
for h in "$@"; do
	seeds="tests/fuzz/corpus/$h"
	work="$FUZZ_BUILD/corpus/$h"
	mkdir -p "$work"
	dict=""
	maxlen=16384
	case "$h" in
	fuzz_trace) dict="-dict=tests/fuzz/json.dict" maxlen=32768 ;;
	fuzz_records | fuzz_gt) dict="-dict=tests/fuzz/json.dict" ;;
	fuzz_trace_file) dict="-dict=tests/fuzz/json.dict" maxlen=4096 ;;
	fuzz_capture) dict="-dict=tests/fuzz/json.dict" ;;
	esac
	log="$FUZZ_BUILD/logs/$h.log"
	# shellcheck disable=SC2086
	"$FUZZ_BUILD/$h" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=$maxlen \
		-print_final_stats=1 -artifact_prefix="$FUZZ_BUILD/crashes/$h-" $dict \
		"$work" $( [ -d "$seeds" ] && echo "$seeds" ) >"$log" 2>&1
	st=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	units=$(ls "$work" | wc -l)
	if [ "$st" -eq 0 ]; then
		echo "$h: ${runs:-?} runs in $secs s, $units new corpus inputs, ok"
	else
		echo "$h: CRASH (exit $st; see $log and $FUZZ_BUILD/crashes/)"
		grep -m3 -E 'ERROR|SUMMARY|fuzz check failed|runtime error' "$log" | sed 's/^/    /'
		rc=1
	fi
done
exit $rc
