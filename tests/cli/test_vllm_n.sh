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
[ "$fails" -eq 0 ]
