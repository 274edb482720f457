#!/bin/sh
# Ray Data rows, vLLM offline dumps, vllm run-batch output and the
# transformers recipe's output (issue 23), end to end.  Fixtures:
# tests/data/ingest (make_fixtures.py, from the public field definitions).
# Expected values read from the fixtures with python3 (below) or by hand:
#   ray-run: 4 rows in 2 Ray write_json() files, run.json max_new_tokens 50;
#     row 2 has 50 tokens and no EOS -> the one truncated sample.
#   vllm_run_batch.jsonl: line 2 is a failed request (status 400).
. "$(dirname "$0")/lib.sh"
D=tests/data/ingest

timeout 60 "$BIN" formats "$D/ray-run" >"$tmp/out" 2>&1
F=$D/ray-run/5f2b9c0e1d7a4e3b
check "ray: row 1 stop inferred from EOS" grep -q "^${F}_000000_000000.json:1  ray-data  logprobs  bbox_2d  1 record  finish stop (inferred from an end-of-sequence token)\$" "$tmp/out"
check "ray: row 2 length inferred from max_tokens" grep -q "^${F}_000000_000000.json:2  ray-data  logprobs  .*finish length (inferred: reached max_tokens)\$" "$tmp/out"
check "ray: row 3 text only, ended before max_tokens" grep -q "^${F}_000001_000000.json:1  ray-data  text  .*finish stop (inferred: ended before max_tokens)\$" "$tmp/out"
check "ray: 4 samples" grep -q "ray-run: 4 samples read, 0 skipped" "$tmp/out"

want=$(python3 -c '
import json, glob, sys
rows = [json.loads(l) for f in sorted(glob.glob(sys.argv[1] + "/*_*_*.json")) for l in open(f)]
eos = lambda r: r["logprobs"] and r["logprobs"][-1][str(r["generated_tokens"][-1])]["decoded_token"] == "<|im_end|>"
print(len(rows), sum(1 for r in rows if not eos(r) and r["num_generated_tokens"] >= 50))' "$D/ray-run")
got=$(timeout 60 "$BIN" report --json "$D/ray-run" 2>/dev/null | python3 -c '
import json, sys
m = json.load(sys.stdin)["runs"][0]["off"]
print(m["samples"], m["truncated"])')
check "ray: report samples and truncated ($want)" test "$got" = "$want"
got=$(timeout 60 "$BIN" report --json --limit max_tokens=24 "$D/ray-run" 2>/dev/null | python3 -c '
import json, sys
print(json.load(sys.stdin)["runs"][0]["off"]["truncated"])')
check "ray: --limit max_tokens=24 makes rows 2 and 4 truncated" test "$got" = 2

timeout 60 "$BIN" formats "$D/vllm_offline.jsonl" "$D/vllm_run_batch.jsonl" "$D/hf_generate.jsonl" >"$tmp/out" 2>"$tmp/err"
check "vllm offline: RequestOutput lines" grep -q "^$D/vllm_offline.jsonl:1  vllm-offline  logprobs  bbox_2d  2 records\$" "$tmp/out"
check "vllm offline: finish_reason null, no max_tokens: unknown" grep -q "^$D/vllm_offline.jsonl:3  vllm-offline  text  bbox_2d  1 record  finish unknown" "$tmp/out"
timeout 60 "$BIN" formats --limit max_tokens=24 "$D/vllm_offline.jsonl" >"$tmp/out2" 2>&1
check "vllm offline: --limit max_tokens=24 (its 24 token ids): length inferred" grep -q "^$D/vllm_offline.jsonl:3  vllm-offline  text  bbox_2d  1 record  finish length (inferred: reached max_tokens)\$" "$tmp/out2"
check "run-batch: read as openai-batch" grep -q "^$D/vllm_run_batch.jsonl:3  openai-batch  logprobs" "$tmp/out"
check "run-batch: the failed request named" grep -q "vllm_run_batch.jsonl:2: batch request failed: context too long" "$tmp/err"
check "transformers recipe output: native with top-k" grep -q "^$D/hf_generate.jsonl:1  native  logprobs  bbox_2d  2 records\$" "$tmp/out"
exit $((fails > 0))
