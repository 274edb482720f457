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
#   repeat_stop: records 3, dups 0, rate 0.000, max 1, closed 1, stopped 1
#                (line 2: the policy ended it), truncated 0, termination
#                rate (closed + stopped) / samples = 1.000,
#                tokens 5+32 = 37; TP 3 FP 0 FN 0 -> F1 1.000
. "$(dirname "$0")/lib.sh"
D=tests/data/report
row() { # row FILE NAME VALUES... : a table row with exactly these values
	f=$1; shift
	name=$1; shift
	grep -Eq "^  $name +$(echo "$*" | sed 's/ / +/g')\$" "$f"
}

"$BIN" report "$D/mini" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "clean run exits 0" [ "$rc" -eq 0 ]
check "records off/repeat_stop" row "$tmp/out" records 5 3
check "duplicates" row "$tmp/out" duplicates 2 0
check "duplicate_rate" row "$tmp/out" duplicate_rate 0.400 0.000
check "max_repeat" row "$tmp/out" max_repeat 3 1
check "closed" row "$tmp/out" closed 1 1
check "stopped: the list repeat_stop ended" row "$tmp/out" stopped 0 1
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

# policies/: stop policies, AP and termination probability (hand-worked in
# tests/unit/test_export.c):           off repeat_stop budget:2 near_dup:0.9 dedup
#   records                              8      4         4         2         5
#   tokens                              19     12         8         8        19
#   tp/fp/fn                         5/3/0  4/0/1     4/0/1     2/0/3     5/0/0
#   AP@0.5 (mean score)              0.975  0.876     0.500     0.252     1.000
#   pooled                           0.934  0.802     0.802     0.406     1.000
P=off,repeat_stop,budget:2,near_dup:0.9,dedup
"$BIN" report --policy "$P" "$D/policies" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "policies: exit 0, nothing on stderr (not a terminal: no progress)" sh -c "[ $rc -eq 0 ] && [ ! -s '$tmp/err' ]"
check "policies: header, dedup marked" grep -Eq '^ +off +repeat_stop +budget:2 +near_dup:0.9 +dedup\*$' "$tmp/out"
check "policies: records" row "$tmp/out" records 8 4 4 2 5
check "policies: tokens" row "$tmp/out" tokens 19 12 8 8 19
check "policies: duplicates" row "$tmp/out" duplicates 3 0 1 0 0
check "policies: closed" row "$tmp/out" closed 1 0 0 0 1
check "policies: stopped (each stopping policy fires on both; dedup stops nothing)" row "$tmp/out" stopped 0 2 2 2 0
check "policies: termination_rate = (closed + stopped) / samples" row "$tmp/out" termination_rate 0.500 1.000 1.000 1.000 0.500
check "policies: F1@0.3 near_dup differs from repeat_stop" row "$tmp/out" "F1@0.3" 0.769 0.889 0.889 0.571 1.000
check "policies: tp/fp/fn" grep -Eq '^    tp / fp / fn +5/3/0 +4/0/1 +4/0/1 +2/0/3 +5/0/0$' "$tmp/out"
check "policies: AP@0.5" grep -Eq '^  AP@0.5 \(mean score\) +0.975 +0.876 +0.500 +0.252 +1.000$' "$tmp/out"
check "policies: AP pooled" grep -Eq '^    pooled \(unknown = FP\) +0.934 +0.802 +0.802 +0.406 +1.000$' "$tmp/out"
check "policies: P(close) max before tail" grep -Eq '^  P\(close\) max before tail +0.300 ' "$tmp/out"
check "policies: P(close) at tail start" grep -Eq '^  P\(close\) at tail start +0.080 ' "$tmp/out"
check "policies: dedup labelled as an upper bound" grep -q 'upper bound' "$tmp/out"

"$BIN" report --json --per-sample --policy "$P" "$D/policies" >"$tmp/json" 2>&1
tr -d ' \t\n' <"$tmp/json" >"$tmp/jc"
check "json: each policy under its name" grep -q '"near_dup:0.9":{"samples":2,"records":2,"duplicates":0' "$tmp/jc"
check "json: budget:2" grep -q '"budget:2":{"samples":2,"records":4,"duplicates":1' "$tmp/jc"
check "json: dedup upper bound" grep -q '"name":"dedup","kind":"dedup","truncation":false,"upper_bound":true' "$tmp/jc"
check "json: old per-sample keys kept" grep -q '"image_id":1,"records":5,"duplicates":2,"max_repeat":3,"termination":"truncated","tail_start":3,"stop_step":7,"steps":12' "$tmp/jc"
check "json: termination probability" grep -Eq '"termination_probability":{"samples_with_tail":1,"tails_max_defined":1,"mean_max_before_tail":0.(3|2999999)' "$tmp/jc"
check "json: ap" grep -q '"ap":{"iou":0.5,"score":"mean","ap":1,"categories":2,"ap_pooled":1,' "$tmp/jc"

"$BIN" report --csv --policy "$P" "$D/policies" >"$tmp/csv" 2>&1; rc=$?
check "csv: exit 0" [ "$rc" -eq 0 ]
check "csv: header" sh -c "head -n 1 '$tmp/csv' | grep -q '^run,line,image_id,image,records,duplicates,max_repeat,termination,tail_start,stop_step,steps,tp_03,fp_03,fn_03,tp_05,fp_05,fn_05,score,'"
check "csv: 3 lines, CRLF" sh -c "[ \$(wc -l <'$tmp/csv') -eq 3 ] && [ \$(tr -cd '\r' <'$tmp/csv' | wc -c) -eq 3 ]"
check "csv: quoted run name, empty nulls" grep -q '^"pol""icies, test",1,1,,5,2,3,truncated,3,7,12,3,2,0,3,2,0,' "$tmp/csv"
check "csv: quoted image name, the matched image's id" grep -q '^"pol""icies, test",2,2,"two, ""b"".png",3,1,2,closed,,3,7,2,1,0,2,1,0,' "$tmp/csv"
if command -v python3 >/dev/null 2>&1; then
	check "csv: python csv module reads it (same field count, values)" python3 - "$tmp/csv" <<'PY'
import csv, sys
with open(sys.argv[1], newline='') as f:
    rows = list(csv.DictReader(f))
assert len(rows) == 2
assert rows[0]['run'] == 'pol"icies, test'
assert rows[1]['image'] == 'two, "b".png'
assert rows[0]['near_dup_0_9_records'] == '1' and rows[0]['repeat_stop_records'] == '3'
assert rows[1]['dedup_tp_05'] == '2' and rows[1]['dedup_fp_05'] == '0'
assert abs(float(rows[0]['score']) + 0.23) < 1e-12
assert rows[1]['p_close_at_tail_start'] == ''
assert all(None not in r for r in rows)
PY
fi

# several runs: one per worker; the same result with one or two workers, in input order
"$BIN" report --json --jobs 2 "$D/mini" "$D/policies" "$D/mini" >"$tmp/j2" 2>&1; rc=$?
"$BIN" report --json --jobs 1 "$D/mini" "$D/policies" "$D/mini" >"$tmp/j1" 2>&1
check "multi-run: exit 0" [ "$rc" -eq 0 ]
check "multi-run: --jobs 2 == --jobs 1" cmp -s "$tmp/j1" "$tmp/j2"
tr -d ' \t\n' <"$tmp/j2" | grep -o '"name":"[a-z"\\,]*","skipped"' >"$tmp/names"
printf '%s\n' '"name":"mini","skipped"' '"name":"pol\"icies,test","skipped"' '"name":"mini","skipped"' >"$tmp/want"
check "multi-run: input order" cmp -s "$tmp/names" "$tmp/want"
"$BIN" report --csv "$D/mini" "$D/policies" >"$tmp/csv" 2>&1
check "multi-run csv: one header, a row per sample per run" sh -c "[ \$(wc -l <'$tmp/csv') -eq 5 ] && [ \$(grep -c '^run,' '$tmp/csv') -eq 1 ]"

"$BIN" report --json --csv "$D/mini" >/dev/null 2>&1; rc=$?
check "--json with --csv: usage error" [ "$rc" -eq 2 ]
"$BIN" report --policy off,near_dup:2 "$D/mini" >/dev/null 2>"$tmp/err"; rc=$?
check "near_dup out of range: usage error" sh -c "[ $rc -eq 2 ] && grep -q 'near_dup takes an IoU' '$tmp/err'"
"$BIN" report --policy off,off "$D/mini" >/dev/null 2>&1; rc=$?
check "policy given twice: usage error" [ "$rc" -eq 2 ]
"$BIN" report --score median "$D/mini" >/dev/null 2>&1; rc=$?
check "unknown --score: usage error" [ "$rc" -eq 2 ]
"$BIN" report --score min --no-confidence "$D/policies" >"$tmp/out" 2>&1; rc=$?
check "--no-confidence: no AP rows" sh -c "[ $rc -eq 0 ] && ! grep -q '^  AP@' '$tmp/out'"

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

# nosize/: the gt image has no width/height, so a qwen3 (relative) box can't be
# placed: 1 record, FP; the gt box is FN -> tp/fp/fn 0/1/1, with one warning.
"$BIN" report "$D/nosize" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "gt image without size: exit 0" [ "$rc" -eq 0 ]
check "gt image without size: warned once" sh -c "[ \$(grep -c 'has no width/height' '$tmp/err') -eq 1 ]"
check "gt image without size: box counts as FP" grep -Eq '^    tp / fp / fn +0/1/1 +0/1/1$' "$tmp/out"

# --limit: mini's line 2 has 3 records and 6,253 bytes (json.dumps of 51 tokens)
"$BIN" report --limit records=2 "$D/mini" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "--limit records=2: exit 1" [ "$rc" -eq 1 ]
check "--limit records=2: line 2 named with the limit" grep -q 'mini/traces.jsonl:2: more than 2 records in one sample (max_records)' "$tmp/err"
"$BIN" report --limit line_bytes=2k "$D/mini" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "--limit line_bytes=2k: line 2 skipped" sh -c "[ $rc -eq 1 ] && grep -q 'traces.jsonl:2: line of 6253 bytes is longer than max_line_bytes (2048)' '$tmp/err'"
"$BIN" report --limit bogus=1 "$D/mini" >/dev/null 2>"$tmp/err"; rc=$?
check "--limit unknown name: exit 2 naming it" sh -c "[ $rc -eq 2 ] && grep -q \"unknown limit 'bogus'\" '$tmp/err'"
"$BIN" report --limit records=0 "$D/mini" >/dev/null 2>&1; rc=$?
check "--limit zero: exit 2" [ "$rc" -eq 2 ]

# ---- --per-record (hand-worked from mini above: line 1 two TPs; line 2 cat
# [0,0,100,50] x3: record 0 TP, 1 and 2 FP duplicates of 0, in the tail
# (tail_start 1), cut by repeat_stop (it keeps 1 record of line 2)) ----
"$BIN" report --per-record "$D/mini" >"$tmp/pr.csv" 2>"$tmp/pr.err"; rc=$?
check "--per-record: exit 0, header" sh -c "[ $rc -eq 0 ] && head -1 '$tmp/pr.csv' | tr -d '\r' |
	grep -qx 'run,line,image_id,image,record,label,x1,y1,x2,y2,score,match_03,match_05,dup_of,in_tail,cut_repeat_stop'"
cut -d, -f1-10,12- "$tmp/pr.csv" | tr -d '\r' | tail -n +2 >"$tmp/pr.cut"
printf '%s\n' 'mini,1,1,,0,cat,10,10,30,30,tp,tp,,0,0' 'mini,1,1,,1,dog,50,50,80,80,tp,tp,,0,0' \
	'mini,2,2,,0,cat,0,0,100,50,tp,tp,,0,0' 'mini,2,2,,1,cat,0,0,100,50,fp,fp,0,1,1' \
	'mini,2,2,,2,cat,0,0,100,50,fp,fp,0,1,1' >"$tmp/pr.want"
check "--per-record: the five records as worked out by hand (box in pixels, matches, dup_of, tail, cut)" \
	cmp -s "$tmp/pr.cut" "$tmp/pr.want"
check "--per-record: scores are the mean logprob of each record's tokens (-0.1 each)" \
	sh -c "tail -n +2 '$tmp/pr.csv' | cut -d, -f11 | python3 -c 'import sys; v=[float(x) for x in sys.stdin]; sys.exit(not (len(v) == 5 and all(abs(x + 0.1) < 1e-12 for x in v)))'"
"$BIN" report --per-record --json "$D/mini" >"$tmp/pr.json"
check "--per-record --json: each run's records (box, match per IoU, cut per policy)" \
	python3 -c "import json,sys; r=json.load(open('$tmp/pr.json'))['runs'][0]['records']; e=r[3]
sys.exit(not (len(r) == 5 and e['line'] == 2 and e['record'] == 1 and e['box'] == [0, 0, 100, 50] and
	e['match'] == {'0.3': 'fp', '0.5': 'fp'} and e['dup_of'] == 0 and e['in_tail'] is True and
	e['cut'] == {'repeat_stop': True} and r[0]['dup_of'] is None))"
P=off,repeat_stop,budget:12,dedup,near_dup:0.9
"$BIN" report --per-record --policy $P sample_runs/lora-qkvo-r16 sample_runs/base >"$tmp/pr2.csv" 2>/dev/null
"$BIN" report --json --per-sample --policy $P sample_runs/lora-qkvo-r16 sample_runs/base >"$tmp/ps2.json" 2>/dev/null
check "--per-record agrees with --json --per-sample (records, duplicates, tail_start, score, TP/FP per IoU, kept per policy)" \
	sh -c "python3 tests/cli/per_record_check.py '$tmp/pr2.csv' '$tmp/ps2.json' | grep -q '^ok 48 samples'"
printf '%s\n' '{"image_id": 1, "finish_reason": "stop", "text": "[{\"bbox_2d\": [1, 2, 30, 40], \"label\": \"=HYPERLINK(1)\"}, {\"bbox_2d\": [5, 5, 9, 9], \"label\": \"+x,y\"}]"}' >"$tmp/inj.jsonl"
"$BIN" report --per-record --coords xyxy "$tmp/inj.jsonl" >"$tmp/inj.csv" 2>/dev/null
check "--per-record: labels starting with = + get a leading ' (CSV injection), quoted when needed" \
	sh -c "grep -q \",0,'=HYPERLINK(1),1,2,30,40,\" '$tmp/inj.csv' && grep -q \",1,\\\"'+x,y\\\",5,5,9,9,\" '$tmp/inj.csv'"

# ---- a path that is not a run (sample_runs/*: README.md, gen/, scenes/) ----
mkdir -p "$tmp/runs/gen" "$tmp/runs/brokenrun"
cp -r "$D/mini" "$tmp/runs/mini"
printf '# notes\nnot JSON\n' >"$tmp/runs/README.md"
echo '{"name": "b"}' >"$tmp/runs/brokenrun/run.json"
"$BIN" report "$tmp/runs/README.md" "$tmp/runs/gen" "$tmp/runs/mini" >"$tmp/nr.out" 2>"$tmp/nr.err"; rc=$?
check "runs next to README.md and a directory without run.json/traces: exit 0, both named on stderr" \
	sh -c "[ $rc -eq 0 ] && grep -q 'README.md:1: not a traces file' '$tmp/nr.err' && grep -q 'gen: not a run' '$tmp/nr.err'"
check "... and the run's table is printed" row "$tmp/nr.out" records 5 3
"$BIN" report "$tmp/runs/mini" "$tmp/runs/typo" >/dev/null 2>&1; rc=$?
check "a path that does not exist is skipped input: exit 1" [ "$rc" -eq 1 ]
"$BIN" report "$tmp/runs/mini" "$tmp/runs/brokenrun" >/dev/null 2>&1; rc=$?
check "a directory with run.json but no traces is a broken run: exit 1" [ "$rc" -eq 1 ]
"$BIN" report "$tmp/runs/README.md" "$tmp/runs/gen" >/dev/null 2>&1; rc=$?
check "nothing but paths that are not runs: exit 2" [ "$rc" -eq 2 ]

[ "$fails" -eq 0 ]
