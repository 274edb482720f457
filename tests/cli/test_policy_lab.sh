#!/bin/sh
# The policy lab end to end: report's new rows on the hand-worked mini run
# (tests/data/report/mini, see test_report.sh's header), a sweep, the TIDE
# counts adding up to FP and FN, the tokens saved equal to the per-sample
# CSV, the ECE recomputed by an independent script from the traces, plot
# tradeoff / reliability, and capture refusing the replay-only policies.
. "$(dirname "$0")/lib.sh"
D=tests/data/report
row() { # row FILE NAME VALUES... : a table row with exactly these values
	f=$1; shift
	name=$1; shift
	grep -Eq "^  $name +$(echo "$*" | sed 's/ / +/g')\$" "$f"
}

# mini: repeat_stop ends line 2 at step 31 (tokens 56 -> 37: 19 saved); the
# two repeated cats are duplicate errors (IoU 1 with a taken box); line 2
# has a tail (tail_start 1) that repeat_stop stops, line 1 none.
timeout 60 "$BIN" report "$D/mini" >"$tmp/out" 2>"$tmp/err"
check "mini: tokens_saved" row "$tmp/out" tokens_saved 0 19
check "mini: false_stops" row "$tmp/out" false_stops 0 0
check "mini: tails_unstopped" row "$tmp/out" tails_unstopped 1 0
check "mini: tp_lost@0.5" row "$tmp/out" "tp_lost@0.5" 0 0
check "mini: TIDE duplicate errors" row "$tmp/out" "  duplicate" 2 0
check "mini: TIDE background" row "$tmp/out" "  background" 0 0
check "mini: TIDE missed" row "$tmp/out" "  missed \(= FN\)" 0 0

# a sweep expands to one column per value and prints the trade-off
timeout 60 "$BIN" report --policy off,repeat_stop,close_prob:0.02..0.06/0.02,ladder "$D/mini" >"$tmp/sw" 2>&1; rc=$?
check "sweep: exit 0" [ "$rc" -eq 0 ]
check "sweep: the columns" grep -Eq '^ +off +repeat_stop +close_prob:0.02 +close_prob:0.04 +close_prob:0.06 +ladder:3$' "$tmp/sw"
check "sweep: trade-off table" grep -q "trade-off (one row per policy)" "$tmp/sw"
check "sweep: trade-off row for repeat_stop" grep -Eq '^  repeat_stop +19 +33.9% +1.000 +1 +0 +0 +0 +0$' "$tmp/sw"
check "sweep: terminal plot" grep -q "tokens saved against F1@0.5" "$tmp/sw"
timeout 60 "$BIN" report --policy close_prob:0.6..0.2/0.1 "$D/mini" >/dev/null 2>"$tmp/e"; rc=$?
check "sweep: a backwards range is a usage error" sh -c "[ $rc -eq 2 ] && grep -q 'STEP > 0 and B >= A' '$tmp/e'"

# JSON: the TIDE types add up to FP, missed = FN, for every policy and run
P=off,repeat_stop,near_dup:0.9,ladder,repetition_detection:8:1:2,close_prob:0.04
timeout 60 "$BIN" report --json --policy "$P" "$D/mini" "$D/policies" >"$tmp/j" 2>/dev/null
check "json: TIDE sums equal FP and FN at 0.5 for every policy" python3 - "$tmp/j" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ok = True
for r in d["runs"]:
    for p in d["policies"]:
        m = r[p["name"]] if "name" in p else r[p]
        e = m["errors"]; f = m["f1"]["0.5"]
        s = sum(e[k] for k in ("classification", "localization", "both", "duplicate", "background"))
        ok &= s == f["fp"] and e["missed"] == f["fn"]
sys.exit(0 if ok else 1)
PY

# tokens_saved = sum over samples of steps - P_tokens (the CSV's columns)
timeout 60 "$BIN" report --csv --policy "$P" "$D/policies" >"$tmp/c" 2>/dev/null
check "json tokens_saved equals the per-sample CSV" python3 - "$tmp/j" "$tmp/c" <<'PY'
import csv, json, sys
d = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
r = d["runs"][1]
ok = True
for name in ["off", "repeat_stop", "near_dup:0.9", "ladder:3", "repetition_detection:8:1:2", "close_prob:0.04"]:
    col = name.replace(":", "_").replace(".", "_") + "_tokens"
    want = sum(int(x["steps"]) - int(x[col]) for x in rows)
    ok &= r[name]["tokens_saved"] == want
sys.exit(0 if ok else 1)
PY

# ECE from the traces by an independent script: a record's score is the
# mean logprob of the steps from its "{" to its "}", p = exp(score), 10
# equal-width bins; TP at 0.5 worked out by hand (mini: line 1 both TP;
# line 2 first TP, the two repeats FP; repeat_stop keeps the first three).
check "json: ECE of off and repeat_stop as recomputed from the traces" python3 - "$tmp/j" "$D/mini/traces.jsonl" <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
recs = []
for line in open(sys.argv[2]):
    t = json.loads(line)["tokens"]
    text, owner = "", []
    for i, s in enumerate(t):
        text += s["token"]; owner += [i] * len(s["token"])
    depth, start = 0, None
    for k, ch in enumerate(text):
        if ch == "{":
            start = k
        elif ch == "}" and start is not None:
            steps = range(owner[start], owner[k] + 1)
            recs.append(sum(t[s]["logprob"] for s in steps) / len(steps))
            start = None
tp = [1, 1, 1, 0, 0]
def ece(scores, tps):
    bins = [[] for _ in range(10)]
    for s, y in zip(scores, tps):
        p = math.exp(s); bins[min(9, int(math.floor(p * 10)))].append((p, y))
    n = sum(len(b) for b in bins)
    return sum(len(b) / n * abs(sum(y for _, y in b) / len(b) - sum(p for p, _ in b) / len(b)) for b in bins if b)
r = d["runs"][0]
got_off = r["off"]["calibration"]["ece"]; got_rs = r["repeat_stop"]["calibration"]["ece"]
ok = abs(got_off - ece(recs, tp)) < 1e-9 and abs(got_rs - ece(recs[:3], tp[:3])) < 1e-9
print("# ece off %.6f (script %.6f), repeat_stop %.6f (script %.6f)" % (got_off, ece(recs, tp), got_rs, ece(recs[:3], tp[:3])))
sys.exit(0 if ok and len(recs) == 5 else 1)
PY

# plots: terminal and PNG
timeout 60 "$BIN" plot tradeoff --policy off,repeat_stop,close_prob:0.02..0.06/0.02 --width 80 "$D/mini" >"$tmp/pt" 2>&1; rc=$?
check "plot tradeoff: exit 0, a point per policy" sh -c "[ $rc -eq 0 ] && grep -q 'repeat_stop' '$tmp/pt' && grep -q 'tokens saved' '$tmp/pt'"
timeout 60 "$BIN" plot reliability "$D/mini" -o "$tmp/rel.png" >/dev/null 2>&1; rc=$?
check "plot reliability -o: a PNG" sh -c "[ $rc -eq 0 ] && head -c 8 '$tmp/rel.png' | od -An -tx1 | grep -q '89 50 4e 47'"
timeout 60 "$BIN" plot reliability --width 80 "$D/mini" >"$tmp/pr" 2>&1
check "plot reliability: ECE in the legend" grep -q "mini (ECE 0" "$tmp/pr"

# capture: the replayed policies are refused live
for p in ladder close_prob:0.5 repetition_detection:8:1:3; do
	timeout 20 "$BIN" capture --server http://127.0.0.1:1 --images x --prompt p -o "$tmp/cap" --policy "$p" 2>"$tmp/ce"; rc=$?
	check "capture --policy $p: refused (replay only)" sh -c "[ $rc -eq 2 ] && grep -q 'not applied live' '$tmp/ce'"
done

# Real-model traces (a slice of /work/shared/realmodel/dense2-final: 4 scenes,
# vLLM chat.completion lines): repetition_detection replayed by tailscope
# equals vLLM's check_sequence_repetition transcribed into a script, run
# after every token on the token texts; the TIDE types add up there too.
R=tests/data/policy_lab/realmodel
RD="repetition_detection:64:8:3 repetition_detection:30:1:2 repetition_detection:64:1:2 repetition_detection:4:1:3 repetition_detection:20:2:2 repetition_detection:1:1:4"
RP=off,$(echo $RD | tr ' ' ',')
timeout 60 "$BIN" report --csv --policy "$RP" "$R" >"$tmp/rc" 2>"$tmp/re"; rc=$?
check "real model: report --csv exits 0" [ "$rc" -eq 0 ]
check "real model: repetition_detection stop steps equal a script of vLLM's check" python3 - "$R/traces.jsonl" "$tmp/rc" $RD <<'PY'
import csv, json, sys
def has_pattern(ids, L, count):
    for n in range(1, L + 1):
        for m in range(1, count):
            if ids[-(L * m + n)] != ids[-n]:
                return False
    return True
def check(ids, mx, mn, count):
    if mn <= 0: mn = 1
    if mx <= 0 or count < 2 or mn > mx: return False
    for L in range(mn, mx + 1):
        if L * count > len(ids): return False
        if has_pattern(ids, L, count): return True
    return False
traces = [json.loads(l) for l in open(sys.argv[1])]
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
ok = len(rows) == len(traces) and len(rows) > 0
fired = 0
for spec in sys.argv[3:]:
    mx, mn, count = (int(x) for x in spec.split(":")[1:])
    col = spec.replace(":", "_") + "_stop_step"
    for t, row in zip(traces, rows):
        toks = [c["token"] for c in t["choices"][0]["logprobs"]["content"]]
        want = ""
        for k in range(len(toks)):
            if check(toks[:k + 1], mx, mn, count):
                want = str(k); fired += 1
                break
        if row[col] != want:
            print("# %s line %s: tailscope %r, script %r" % (spec, row["line"], row[col], want))
            ok = False
print("# %d stops compared" % fired)
sys.exit(0 if ok and fired > 0 else 1)
PY
timeout 60 "$BIN" report --json --policy "off,repeat_stop,ladder,close_prob:0.3" "$R" >"$tmp/rj" 2>/dev/null
check "real model: TIDE sums equal FP and FN" python3 - "$tmp/rj" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = d["runs"][0]
ok = True
for p in ["off", "repeat_stop", "ladder:3", "close_prob:0.3"]:
    e = r[p]["errors"]; f = r[p]["f1"]["0.5"]
    ok &= sum(e[k] for k in ("classification", "localization", "both", "duplicate", "background")) == f["fp"]
    ok &= e["missed"] == f["fn"]
sys.exit(0 if ok else 1)
PY

echo "1..$n"
[ "$fails" -eq 0 ]
