#!/bin/sh
# Runs every test binary given as argument, then the tmux end-to-end tests
# (tests/tui/test_*.sh), and prints one closing line "tests: N passed, N failed".
# Exit status: 0 when nothing failed.
BUILD=${BUILD:-build}
export BUILD
pass=0
fail=0
failed_names=""
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	f=$(printf '%s\n' "$out" | sed -n 's/.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1   # crashed or failed outside a test
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	[ "$f" -ne 0 ] && failed_names="$failed_names $(basename "$t")"
done
for s in tests/cli/test_*.sh tests/tui/test_*.sh; do
	[ -f "$s" ] || continue
	out=$(sh "$s" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	pass=$((pass + p))
	fail=$((fail + f))
	[ "$f" -ne 0 ] && failed_names="$failed_names $(basename "$s")"
done
[ -n "$failed_names" ] && echo "failing:$failed_names"
echo "tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
