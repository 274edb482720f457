#!/bin/sh
# Runs every test binary given as argument, then the shell end-to-end tests
# (tests/cli/test_*.sh, tests/hostile/test_*.sh, then the tmux ones in
# tests/tui/test_*.sh), and prints one closing line "tests: N passed, N failed".
# Exit status: 0 when nothing failed.
#   TEST_SUITES="cli hostile tui"  which shell suites to run (asan-test runs "cli hostile":
#                           the tmux tests wait on screen states, and an ASan
#                           build is too slow for their timeouts)
BUILD=${BUILD:-build}
# Every test starts from one known locale, not the caller's; tests that are
# about the locale (tests/tui/test_locale.sh) set theirs explicitly.
unset LANG LANGUAGE LC_CTYPE LC_MESSAGES LC_NUMERIC LC_COLLATE LC_TIME
LC_ALL=C.UTF-8
export LC_ALL
TEST_SUITES=${TEST_SUITES:-cli hostile tui}
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
scripts=""
for suite in $TEST_SUITES; do
	scripts="$scripts $(ls tests/$suite/test_*.sh 2>/dev/null)"
done
for s in $scripts; do
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
