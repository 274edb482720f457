#!/bin/sh
# P(close) on real decoding and on every syntax, one definition in every
# output, and boxes as written.  Expected values worked out independently:
#   - tests/pclose_ref.py re-implements README "P(close)" in Python from the
#     raw trace JSON (not tailscope's code); its per-sample values must be
#     report --json's, for the real-model lines in tests/data/realmodel;
#   - sample_runs/lora-qv-r64 line 19 (PaliGemma): the tail starts after the
#     record whose " ; " is step 125, which offers <eos> at logprob -0.819:
#     exp(-0.819) = 0.4409 -> "0.441" (no other EOS at that step);
#   - tests/data/syntaxes/pclose (make.py): 0.2 at the tail start and 0.3
#     before it on every line, by construction; without run.json's
#     "eos_tokens" the custom-vocabulary line (11) reads 0;
#   - a reversed box that would equal the ground truth once sorted is a
#     false positive (COCOeval: w, h < 0 -> IoU 0).
. "$(dirname "$0")/lib.sh"
if ! command -v python3 >/dev/null 2>&1; then
	echo "# python3 missing: P(close) reference checks skipped"
	exit 0
fi

"$BIN" report sample_runs/lora-qv-r64 >"$tmp/out" 2>/dev/null
check "lora-qv-r64: P(close) at tail start 0.441 (exp(-0.819) at step 125)" \
	grep -Eq '^  P\(close\) at tail start +0\.441 ' "$tmp/out"

# every sample of the real-model runs: tailscope == the Python reference
cmp_ref() { # cmp_ref RUN
	python3 tests/pclose_ref.py "$1/traces.jsonl" >"$tmp/ref" &&
	"$BIN" report --json --per-sample "$1" >"$tmp/json" 2>/dev/null &&
	python3 - "$tmp/ref" "$tmp/json" <<'PY'
import json, sys
ref = [json.loads(l) for l in open(sys.argv[1])]
got = json.load(open(sys.argv[2]))["runs"][0]["samples"]
assert len(ref) == len(got) and len(ref) > 0, (len(ref), len(got))
def same(a, b):
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= 1e-12)
for r, g in zip(ref, got):
    assert r["records"] == g["records"], (r["line"], r["records"], g["records"])
    assert r["tail_start"] == g["tail_start"], r["line"]
    assert same(r["at_tail_start"], g["p_close_at_tail_start"]), r["line"]
    assert same(r["max_before_tail"], g["p_close_max_before_tail"]), r["line"]
PY
}
check "dense2-final: every sample's P(close) as the Python reference" cmp_ref tests/data/realmodel/dense2-final
check "dense2-early: every sample's P(close) as the Python reference" cmp_ref tests/data/realmodel/dense2-early
"$BIN" report --json --per-sample tests/data/realmodel/dense2-final >"$tmp/json" 2>/dev/null
check "dense2-final: line 2's tail starts after a 0.454 decision" python3 -c "
import json
s = json.load(open('$tmp/json'))['runs'][0]['samples'][1]
assert s['tail_start'] == 8 and abs(s['p_close_at_tail_start'] - 0.4537994130719759) < 1e-12, s"

# the CSV carries the same numbers as the JSON
"$BIN" report --csv tests/data/realmodel/dense2-final >"$tmp/csv" 2>/dev/null
check "CSV P(close) columns = JSON" python3 - "$tmp/csv" "$tmp/json" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
got = json.load(open(sys.argv[2]))["runs"][0]["samples"]
assert len(rows) == len(got)
for r, g in zip(rows, got):
    for k in ("p_close_at_tail_start", "p_close_max_before_tail"):
        v = g[k]
        # cJSON prints 15 significant digits when they read back within
        # DBL_EPSILON: the CSV's 17 may differ in the last bit
        assert (r[k] == "" and v is None) or abs(float(r[k]) - v) <= 1e-15 * abs(v), (k, r[k], v)
PY

# every syntax by hand; the custom EOS needs run.json's eos_tokens
"$BIN" report --json --per-sample tests/data/syntaxes/pclose >"$tmp/json" 2>/dev/null
check "every syntax: at tail start 0.2, max before 0.3" python3 -c "
import json
ss = json.load(open('$tmp/json'))['runs'][0]['samples']
assert len(ss) == 11
for s in ss:
    assert abs(s['p_close_at_tail_start'] - 0.2) < 1e-12 and abs(s['p_close_max_before_tail'] - 0.3) < 1e-12, s"
mkdir "$tmp/noeos"
cp tests/data/syntaxes/pclose/traces.jsonl "$tmp/noeos/"
printf '{"name": "noeos"}\n' >"$tmp/noeos/run.json"
"$BIN" report --json --per-sample "$tmp/noeos" >"$tmp/json" 2>/dev/null
check "without eos_tokens the custom vocabulary's line reads 0" python3 -c "
import json
s = json.load(open('$tmp/json'))['runs'][0]['samples'][10]
assert s['p_close_at_tail_start'] == 0 and s['p_close_max_before_tail'] == 0, s"

# boxes as written: [300,400,100,200] would be the gt box once sorted
mkdir "$tmp/rev"
cat >"$tmp/rev/gt.json" <<'J'
{"images": [{"id": 1, "file_name": "a.png", "width": 1000, "height": 1000}],
 "categories": [{"id": 1, "name": "cat"}],
 "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [100, 200, 200, 200], "area": 40000, "iscrowd": 0}]}
J
printf '{"image_id": 1, "finish_reason": "stop", "text": "[{\\"bbox_2d\\": [300, 400, 100, 200], \\"label\\": \\"cat\\"}]"}\n' >"$tmp/rev/traces.jsonl"
printf '{"name": "rev", "coords": "qwen3", "gt": "gt.json"}\n' >"$tmp/rev/run.json"
"$BIN" report "$tmp/rev" >"$tmp/out" 2>"$tmp/err"
check "reversed box: a false positive (IoU 0)" grep -Eq '^    tp / fp / fn +0/1/1 ' "$tmp/out"
check "reversed box: warned with its count and share" \
	grep -q '1 of 1 boxes (100.0%) have x2 < x1 or y2 < y1, counted as written (IoU 0)' "$tmp/err"

echo "# $n checks, $fails failed"
[ "$fails" -eq 0 ]
