#!/bin/sh
# report --json --partial --shard K/N and tailscope merge (issue 23): two
# sample runs, each cut (by split, here) into 4 trace shards, analysed as 4
# partial states, merged in a shuffled order: the merge prints exactly what
# report --json prints over all the shards (byte-identical: AP, the PR
# curve, the termination probability means included).  Independent checks:
# the partials' sample counts add up to the traces' line counts (wc), and
# merge refuses missing, repeated or mismatched shards.
. "$(dirname "$0")/lib.sh"
cp -R sample_runs/scenes "$tmp/scenes"
for r in lora-qkvo-r16 lora-qv-r16; do
	mkdir "$tmp/$r"
	python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); r.pop("traces"); json.dump(r, open(sys.argv[2], "w"))' \
		"sample_runs/$r/run.json" "$tmp/$r/run.json"
	split -n l/4 -d -a 5 --additional-suffix=-of-00004.jsonl "sample_runs/$r/traces.jsonl" "$tmp/$r/traces-"
done
OPTS="--policy off,repeat_stop,budget:12,dedup --iou 0.3,0.5,0.75"
# shellcheck disable=SC2086
timeout 120 "$BIN" report --json $OPTS "$tmp/lora-qkvo-r16" "$tmp/lora-qv-r16" >"$tmp/all.json" 2>/dev/null
check "report --json over all shards: exit 0" test $? -eq 0
for k in 1 2 3 4; do
	# shellcheck disable=SC2086
	timeout 120 "$BIN" report --json --partial --shard "$k/4" $OPTS "$tmp/lora-qkvo-r16" "$tmp/lora-qv-r16" >"$tmp/p$k.json" 2>/dev/null
done
check "4 partial states written" test -s "$tmp/p1.json" -a -s "$tmp/p4.json"
sum=$(python3 -c '
import json, sys
print(sum(json.load(open(f))["runs"][0]["metrics"][0][0] for f in sys.argv[1:]))' "$tmp"/p[1234].json)
check "partials' samples add up to the lines of run 1 ($sum)" test "$sum" -eq "$(wc -l <sample_runs/lora-qkvo-r16/traces.jsonl)"
timeout 60 "$BIN" merge "$tmp/p3.json" "$tmp/p1.json" "$tmp/p4.json" "$tmp/p2.json" >"$tmp/merged.json"
check "merge: exit 0" test $? -eq 0
check "merge prints report --json byte for byte" cmp -s "$tmp/all.json" "$tmp/merged.json"
check "the report has AP (not null) for every policy" test "$(grep -c '"ap_pooled":	0\.[0-9]' "$tmp/all.json")" -ge 8
check "the report has TIDE errors and a calibration per policy (in the byte-for-byte check)" \
	test "$(grep -c '"calibration":' "$tmp/all.json")" -ge 6 -a "$(grep -c '"errors":' "$tmp/all.json")" -ge 6
check "the report has a defined termination probability mean" grep -q '"mean_max_before_tail":	0\.[0-9]' "$tmp/all.json"

timeout 60 "$BIN" merge "$tmp/p1.json" "$tmp/p2.json" "$tmp/p3.json" >/dev/null 2>"$tmp/err"
check "a missing shard: exit 2, said" sh -c "[ $? -eq 2 ] && grep -q 'shard 1 of 4, but 3 partial states were given' '$tmp/err'"
timeout 60 "$BIN" merge "$tmp/p1.json" "$tmp/p1.json" "$tmp/p3.json" "$tmp/p4.json" >/dev/null 2>"$tmp/err"
check "a repeated shard: refused" grep -q "the same shard as another partial state" "$tmp/err"
# shellcheck disable=SC2086
timeout 120 "$BIN" report --json --partial --shard 2/4 --iou 0.5 "$tmp/lora-qkvo-r16" "$tmp/lora-qv-r16" >"$tmp/p2b.json" 2>/dev/null
timeout 60 "$BIN" merge "$tmp/p1.json" "$tmp/p2b.json" "$tmp/p3.json" "$tmp/p4.json" >/dev/null 2>"$tmp/err"
check "other options: refused" grep -q "written with other report options than the first" "$tmp/err"
timeout 60 "$BIN" report --partial "$tmp/lora-qv-r16" >/dev/null 2>&1
check "--partial without --json: usage error (exit 2)" test $? -eq 2
timeout 60 "$BIN" report --json --shard 5/4 "$tmp/lora-qv-r16" >/dev/null 2>&1
check "--shard 5/4: usage error" test $? -eq 2
# Real decoding (5 scenes of the tiny real model): 4 shards of 1-2 lines,
# the policy lab's policies too: TIDE counts, calibration bins and the
# close_prob stops merged to the same bytes (every double goes through the
# partial exactly).
rm_dir="$tmp/rm"
mkdir "$rm_dir"
cp tests/data/realmodel/dense2-final/gt.json "$rm_dir/gt.json"
python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); r.pop("traces"); json.dump(r, open(sys.argv[2], "w"))' \
	tests/data/realmodel/dense2-final/run.json "$rm_dir/run.json"
split -n l/4 -d -a 5 --additional-suffix=-of-00004.jsonl tests/data/realmodel/dense2-final/traces.jsonl "$rm_dir/traces-"
RO="--policy off,repeat_stop,close_prob:0.2,ladder,repetition_detection:64:8:3,dedup"
# shellcheck disable=SC2086
timeout 120 "$BIN" report --json $RO "$rm_dir" >"$tmp/rm-all.json" 2>/dev/null
for k in 1 2 3 4; do
	# shellcheck disable=SC2086
	timeout 120 "$BIN" report --json --partial --shard "$k/4" $RO "$rm_dir" >"$tmp/rm-p$k.json" 2>/dev/null
done
timeout 60 "$BIN" merge "$tmp/rm-p2.json" "$tmp/rm-p4.json" "$tmp/rm-p1.json" "$tmp/rm-p3.json" >"$tmp/rm-merged.json"
check "real model, 6 policies: merge prints report --json byte for byte" cmp -s "$tmp/rm-all.json" "$tmp/rm-merged.json"
check "real model: the report has a calibration with records" grep -q '"records":	[1-9]' "$tmp/rm-all.json"
# No ground truth (run.json names a gt.json that is absent): the run-level
# skip is one (one missing file, whatever the number of shards), so merge
# must count it once, not once per partial (it said 4 here).
ng="$tmp/nogt/run" # ../scenes/gt.json: absent here
mkdir -p "$ng"
python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); r.pop("traces"); json.dump(r, open(sys.argv[2], "w"))' \
	sample_runs/lora-qv-r16/run.json "$ng/run.json"
split -n l/4 -d -a 5 --additional-suffix=-of-00004.jsonl sample_runs/lora-qv-r16/traces.jsonl "$ng/traces-"
timeout 120 "$BIN" report --json "$ng" >"$tmp/ng-all.json" 2>/dev/null
for k in 1 2 3 4; do
	timeout 120 "$BIN" report --json --partial --shard "$k/4" "$ng" >"$tmp/ng-p$k.json" 2>/dev/null
done
timeout 60 "$BIN" merge "$tmp/ng-p4.json" "$tmp/ng-p2.json" "$tmp/ng-p3.json" "$tmp/ng-p1.json" >"$tmp/ng-merged.json"
check "no ground truth: merge prints report --json byte for byte" cmp -s "$tmp/ng-all.json" "$tmp/ng-merged.json"
check "no ground truth: skipped is 1 (the one missing gt.json), in the merge too" \
	grep -q '"skipped":	1,' "$tmp/ng-merged.json"
exit $((fails > 0))
