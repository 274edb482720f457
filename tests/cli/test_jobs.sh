#!/bin/sh
# report --jobs (issue 21): one run's lines are parsed and analysed on worker
# threads and added in file order, so every output is byte-identical to
# --jobs 1 — JSON, CSV (per sample and per record), the text table, the
# messages on stderr and the exit code — for --jobs 2, 3 and 7.  Runs: every
# sample run, a large run built here (many batches, with bad lines whose
# number python counts independently), the same as gzip/zstd shards, a
# compressed run, the SSE and Ollama recordings and a file of bad lines.
. "$(dirname "$0")/lib.sh"
R=sample_runs/lora-qv-r16
mkdir -p "$tmp/w/big"
cp -R sample_runs/scenes "$tmp/w/scenes"
cp "$R/run.json" "$tmp/w/big/"
# 12 copies of the run's lines (288 samples, ~9 batches of 32), a bad line
# every 23rd line: malformed JSON, an unknown container, an empty object
bad=$(python3 - "$R/traces.jsonl" "$tmp/w/big/traces.jsonl" <<'PY'
import sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
bads = ['{"image_id": 1, "tokens": [', '{"foo": 1}', '{}']
out, nbad, k = [], 0, 0
for rep in range(12):
    for l in lines:
        k += 1
        if k % 23 == 0:
            out.append(bads[nbad % 3] + "\n")
            nbad += 1
        out.append(l)
open(sys.argv[2], "w").writelines(out)
print(nbad)
PY
)
check "the large run has bad lines ($bad)" test "$bad" -gt 10
"$BIN" report --json --jobs 3 "$tmp/w/big" >"$tmp/big.json" 2>/dev/null
skipped=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["runs"][0]["skipped"])' "$tmp/big.json")
check "--jobs 3 skips exactly the $bad bad lines (got $skipped)" test "$skipped" = "$bad"
# the large run as 4 shards: gzip, plain, zstd, gzip
mkdir -p "$tmp/w/shards"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r.pop("traces"); json.dump(r, open(sys.argv[2], "w"))' "$R/run.json" "$tmp/w/shards/run.json"
total=$(wc -l <"$tmp/w/big/traces.jsonl")
q=$(( (total + 3) / 4 ))
part() { sed -n "$(( ($1 - 1) * q + 1 )),$(( $1 * q ))p" "$tmp/w/big/traces.jsonl"; }
part 1 | gzip >"$tmp/w/shards/traces-00001-of-00004.jsonl.gz"
part 2 >"$tmp/w/shards/traces-00002-of-00004.jsonl"
part 3 | zstd -q >"$tmp/w/shards/traces-00003-of-00004.jsonl.zst"
part 4 | gzip >"$tmp/w/shards/traces-00004-of-00004.jsonl.gz"

# the scenes run with a gt.json over 4 MiB (polygons added to its
# annotations, one without "id" in the first half, a malformed one in the
# second):
# --jobs 2 and up read it in two halves (test_gt checks the split itself)
cp -R sample_runs/scenes "$tmp/w/biggt"
python3 - sample_runs/scenes/gt.json "$tmp/w/biggt/gt.json" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
for i, a in enumerate(g["annotations"]):
    a["segmentation"] = [[round(0.25 * ((i * 7 + k) % 2000), 2) for k in range(1400)]]
anns = g["annotations"]
anns[len(anns) * 3 // 4]["bbox"] = "bad"
del anns[len(anns) // 5]["id"]
json.dump(g, open(sys.argv[2], "w"), indent=1)
PY
check "the large gt.json is over 4 MiB" test "$(wc -c <"$tmp/w/biggt/gt.json")" -gt 4194304

# same OUTDIR ARGS...: outputs of --jobs 1 and 2/3/7 identical
same() {
	"$BIN" report --jobs 1 "$@" >"$tmp/j1.out" 2>"$tmp/j1.err"
	rc1=$?
	for j in 2 3 7; do
		"$BIN" report --jobs $j "$@" >"$tmp/jn.out" 2>"$tmp/jn.err"
		rcn=$?
		cmp -s "$tmp/j1.out" "$tmp/jn.out" && cmp -s "$tmp/j1.err" "$tmp/jn.err" &&
			[ "$rc1" = "$rcn" ] || { echo "# --jobs $j differs: report $*"; return 1; }
	done
	[ -s "$tmp/j1.out" ] || [ -s "$tmp/j1.err" ]
}
for r in sample_runs/*/ "$tmp/w/big" "$tmp/w/shards" "$tmp/w/biggt" tests/data/compressed/dense2-head \
	tests/data/report/bad_lines.jsonl tests/data/traces/stream_vllm.sse \
	tests/data/traces/stream_bad.sse tests/data/traces/stream_ollama.jsonl \
	tests/data/traces/containers.jsonl; do
	case $r in */README*) continue ;; esac
	fmts='"--json --per-sample" "--csv --per-record"'
	case $r in "$tmp"/*) fmts='"--json --per-sample" "--csv --per-sample" "--csv --per-record" ""' ;; esac
	eval "set -- $fmts"
	for f in "$@"; do
		# shellcheck disable=SC2086
		check "report $f $(basename "$r"): --jobs 1 = 2 = 3 = 7" same $f "$r"
	done
done
check "--json of the sharded run = the plain run's" sh -c '
	"$1" report --json --jobs 3 "$2/big" >"$3/a" 2>/dev/null
	"$1" report --json --jobs 3 "$2/shards" 2>/dev/null >"$3/b"
	python3 -c "import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2]));
[r.pop(\"name\") for r in a[\"runs\"]+b[\"runs\"]]; sys.exit(a!=b)" "$3/a" "$3/b"' sh "$BIN" "$tmp/w" "$tmp"
check "several runs at once (--jobs 7: threads left over parse lines)" same --json sample_runs/base sample_runs/lora-qv-r4 "$tmp/w/big"
[ "$fails" -eq 0 ]
