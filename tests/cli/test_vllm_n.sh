#!/bin/sh
# vLLM offline RequestOutput with n > 1 (issue 23): each completion of
# outputs[] is a sample of the same image, in order.  Expected rows:
# tests/data/ingest/make_vllm_n.py's docstring (hand-built lines).
. "$(dirname "$0")/lib.sh"
D=tests/data/ingest/vllm_n2.jsonl
printf '%s\n' line,image_id,records,duplicates,termination 1,7,2,0,closed 1,7,3,2,truncated \
	2,8,1,0,closed >"$tmp/want"
for j in 1 2; do
	timeout 60 "$BIN" report --csv --jobs "$j" "$D" 2>"$tmp/err" | tr -d '\r' | cut -d, -f2,3,5,6,8 >"$tmp/got"
	check "report --csv --jobs $j: one row per completion" cmp -s "$tmp/got" "$tmp/want"
done
timeout 60 "$BIN" formats "$D" >"$tmp/fmt" 2>&1
check "formats: 3 samples read" grep -q "3 samples read, 0 skipped" "$tmp/fmt"
# more completions than the reader takes (1,024): the rest is named, not dropped silently
python3 -c 'import json
o = [{"index": i, "text": "[]", "token_ids": [1], "finish_reason": "stop"} for i in range(1030)]
print(json.dumps({"request_id": "x", "image_id": 1, "outputs": o, "finished": True}))' >"$tmp/big.jsonl"
timeout 60 "$BIN" formats --summary "$tmp/big.jsonl" >"$tmp/fmt" 2>&1
check "1030 completions: 1024 samples read, 1 skipped" grep -q "1024 samples read, 1 skipped" "$tmp/fmt"
check "1030 completions: the line says why" grep -q "big.jsonl:1: outputs holds 1030 completions: only the first 1024 are read" "$tmp/fmt"
[ "$fails" -eq 0 ]
