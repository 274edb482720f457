#!/bin/sh
# End-to-end checks of `tailscope formats` and of reading SSE recordings in
# `tailscope report` (issue 11).  Expected values by hand from the fixtures
# in tests/data/traces (see its README):
#   servers.jsonl: 12 lines, line 10 fails (token_id without bytes); llamacpp
#     lines 1-2, sglang 3 (logprobs) and 4 (text), tgi 5, ollama 6-7 (logprobs)
#     and 8 (text), openai 9 and 12 (completions API logprobs), native 11.
#   stream_vllm.sse: request b = lines 3-9, request a = lines 1-11.
#   stream_ollama.jsonl: generate stream lines 1-4 (logprobs), chat stream
#     lines 5-7 (no logprobs), a non-streamed response on line 8.
#   same.jsonl / same.sse: the same two completions (r1: 25 tokens, the record
#     cat [10,20,30,40] twice, length; r2: 13 tokens, one dog record, stop),
#     as JSONL and as interleaved chunks: records 3, duplicates 1, max 2,
#     tokens 25 + 13 = 38 -> both report tables are the same.
. "$(dirname "$0")/lib.sh"
D=tests/data/traces

"$BIN" formats "$D/servers.jsonl" >"$tmp/out" 2>"$tmp/err"
check "servers: exit 1 (one line skipped)" test $? -eq 1
check "servers: llama.cpp full response read as llamacpp" grep -q "^$D/servers.jsonl:1  llamacpp  logprobs  none  0 records\$" "$tmp/out"
check "servers: SGLang text-only line" grep -q "^$D/servers.jsonl:4  sglang  text  none" "$tmp/out"
check "servers: TGI" grep -q "^$D/servers.jsonl:5  tgi  logprobs" "$tmp/out"
check "servers: Ollama chat" grep -q "^$D/servers.jsonl:7  ollama  logprobs" "$tmp/out"
check "servers: bad line named on stderr" grep -q "^$D/servers.jsonl:10: choices\[0\].logprobs.content\[0\]: token \"token_id:58\" without its bytes" "$tmp/err"
check "servers: counts" grep -q "^$D/servers.jsonl: 11 samples read, 1 skipped\$" "$tmp/out"
check "servers: the completions API line read as openai with logprobs" grep -q "^$D/servers.jsonl:12  openai  logprobs" "$tmp/out"
check "servers: ollama count 2 with logprobs" grep -Eq "^  container ollama +logprobs 2\$" "$tmp/out"
check "servers: llamacpp count 2" grep -Eq "^  container llamacpp +logprobs 2\$" "$tmp/out"

"$BIN" formats "$D/stream_vllm.sse" >"$tmp/out" 2>"$tmp/err"
check "sse: exit 0" test $? -eq 0
check "sse: request b spans lines 3-9" grep -q "^$D/stream_vllm.sse:3-9  openai-sse  logprobs" "$tmp/out"
check "sse: request a spans lines 1-11" grep -q "^$D/stream_vllm.sse:1-11  openai-sse  logprobs" "$tmp/out"

"$BIN" formats "$D/stream_ollama.jsonl" >"$tmp/out" 2>"$tmp/err"
check "ollama stream: lines 1-4 one sample" grep -q "^$D/stream_ollama.jsonl:1-4  ollama-stream  logprobs" "$tmp/out"
check "ollama stream: chat stream lines 5-7 without logprobs" grep -q "^$D/stream_ollama.jsonl:5-7  ollama-stream  tokens" "$tmp/out"
check "ollama stream: a whole response on line 8" grep -q "^$D/stream_ollama.jsonl:8  ollama  text" "$tmp/out"

"$BIN" formats -s "$D/same.jsonl" "$D/same.sse" >"$tmp/out"
check "summary: no per-sample lines" sh -c "! grep -q 'records\$' '$tmp/out'"
check "summary: syntax bbox_2d read as qwen3, 4 samples" grep -Eq "^  syntax +bbox_2d +qwen3 +4\$" "$tmp/out"
check "summary: all files" grep -q "^all files: 4 samples read, 0 skipped\$" "$tmp/out"

"$BIN" formats "$tmp/missing.jsonl" >/dev/null 2>"$tmp/err"
check "missing file: exit 2" test $? -eq 2
"$BIN" formats --bogus >/dev/null 2>&1
check "unknown option: exit 2" test $? -eq 2
"$BIN" formats --help | grep -q "usage: tailscope formats"
check "--help" test $? -eq 0

"$BIN" report "$D/same.jsonl" | sed 1,2d >"$tmp/a"
"$BIN" report "$D/same.sse" | sed 1,2d >"$tmp/b"
check "report: SSE recording == the same completions as JSONL" cmp -s "$tmp/a" "$tmp/b"
check "report: records 3, duplicates 1, tokens 38" sh -c "grep -Eq '^  records +3 +2\$' '$tmp/b' && grep -Eq '^  duplicates +1 +0\$' '$tmp/b' && grep -Eq '^  tokens +38 +38\$' '$tmp/b'"

echo "# formats: $n checks, $fails failed"
[ "$fails" -eq 0 ]
