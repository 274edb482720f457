#!/bin/sh
# End-to-end checks of `tailscope report` on hand-written fixtures
# (tests/data/report).  Expected values worked out by hand:
#
# mini/: image 1 (100x100) gt cat [10,10,20,20], dog [50,50,30,30];
#        image 2 (200x100) gt cat [0,0,100,50]; coords qwen3 (x/1000*W).
#   line 1: image 1, stop, 5 tokens, "[" cat(100,100,300,300) dog(500,500,800,800) "]"
#           -> boxes [10,10,30,30] and [50,50,80,80]: both exact TP; closed.
#   line 2: image 2, length, 51 tokens: three identical cat(0,0,500,500) records
#           completed at steps 15, 31, 47, then a partial record.
#           -> box [0,0,100,50]: first TP, then two FP duplicates; truncated;
#              duplicates 2, max_repeat 3, tail_start 1, repeat_stop fires at 31.
#   off:         records 5, dups 2, rate 0.400, max 3, closed 1, truncated 1,
#                tokens 5+51 = 56; TP 3 FP 2 FN 0 -> P 0.6 R 1 F1 0.750
#   repeat_stop: records 3, dups 0, rate 0.000, max 1, closed 2, truncated 0,
#                tokens 5+32 = 37; TP 3 FP 0 FN 0 -> F1 1.000
BIN=${BIN:-${BUILD:-build}/tailscope}
D=tests/data/report
n=0
fails=0
check() { # check "description" command...
	n=$((n + 1))
	desc=$1
	shift
	if "$@"; then echo "ok $n - $desc"; else echo "not ok $n - $desc"; fails=$((fails + 1)); fi
}
row() { # row FILE NAME VALUES... : a table row with exactly these values
	f=$1; shift
	name=$1; shift
	grep -Eq "^  $name +$(echo "$*" | sed 's/ / +/g')\$" "$f"
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$BIN" report "$D/mini" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "clean run exits 0" [ "$rc" -eq 0 ]
check "records off/repeat_stop" row "$tmp/out" records 5 3
check "duplicates" row "$tmp/out" duplicates 2 0
check "duplicate_rate" row "$tmp/out" duplicate_rate 0.400 0.000
check "max_repeat" row "$tmp/out" max_repeat 3 1
check "closed" row "$tmp/out" closed 1 2
check "truncated" row "$tmp/out" truncated 1 0
check "termination_rate" row "$tmp/out" termination_rate 0.500 1.000
check "tokens" row "$tmp/out" tokens 56 37
check "F1@0.3" row "$tmp/out" "F1@0.3" 0.750 1.000
check "F1@0.5" row "$tmp/out" "F1@0.5" 0.750 1.000
check "tp/fp/fn" grep -Eq '^    tp / fp / fn +3/2/0 +3/0/0$' "$tmp/out"

"$BIN" report --json --per-sample "$D/mini" >"$tmp/json" 2>&1
tr -d ' \t\n' <"$tmp/json" >"$tmp/jc"
check "json stop_step 31 for image 2" grep -q '"image_id":2,"records":3,"duplicates":2,"max_repeat":3,"termination":"truncated","tail_start":1,"stop_step":31,"steps":51' "$tmp/jc"
check "json stop_step null for image 1" grep -q '"image_id":1,"records":2,"duplicates":0,"max_repeat":1,"termination":"closed","tail_start":null,"stop_step":null,"steps":5' "$tmp/jc"
check "json repeat_stop f1" grep -q '"repeat_stop":{"samples":2,"records":3,"duplicates":0,"duplicate_rate":0,"max_repeat":1' "$tmp/jc"
check "json f1 keys" grep -q '"f1":{"0.3":{"tp":3,"fp":2,"fn":0,"precision":0.6,"recall":1,"f1":0.75' "$tmp/jc"

"$BIN" report --policy off,budget:1 "$D/mini" >"$tmp/out" 2>&1
check "budget:1 keeps one record per sample" row "$tmp/out" records 5 2

"$BIN" report --gt "$D/mini/gt.json" "$D/bad_lines.jsonl" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "skipped lines exit 1" [ "$rc" -eq 1 ]
check "malformed line named" grep -q 'bad_lines.jsonl:2:' "$tmp/err"
check "unknown image named" grep -q 'bad_lines.jsonl:4: image_id 99' "$tmp/err"
check "hostile file name escaped" grep -q 'evil\\x1b\]0;pwned\\x07\\r.png' "$tmp/err"
check "no raw ESC/BEL/CR on stderr" sh -c "! LC_ALL=C grep -q \"\$(printf '[\\033\\007\\r]')\" '$tmp/err'"
check "rest still reported" row "$tmp/out" samples 2 2
check "skipped count shown" grep -Eq '^  skipped lines +3$' "$tmp/out"

"$BIN" report "$D/all_bad.jsonl" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "nothing usable exits 2" [ "$rc" -eq 2 ]
"$BIN" report >/dev/null 2>&1; rc=$?
check "no run: usage error exits 2" [ "$rc" -eq 2 ]
"$BIN" report --bogus "$D/mini" >/dev/null 2>"$tmp/err"; rc=$?
check "unknown option exits 2" [ "$rc" -eq 2 ]
"$BIN" report "$D/does-not-exist" >/dev/null 2>"$tmp/err"; rc=$?
check "missing run exits 2 with its name" sh -c "[ $rc -eq 2 ] && grep -q does-not-exist '$tmp/err'"
"$BIN" --version >"$tmp/out"; rc=$?
check "--version" sh -c "[ $rc -eq 0 ] && grep -Eq '^tailscope [0-9]+\.[0-9]+\.[0-9]+$' '$tmp/out'"

[ "$fails" -eq 0 ]
