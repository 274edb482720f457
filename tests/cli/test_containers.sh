#!/bin/sh
# test_containers.sh — `tailscope formats` names every line container of
# analysis/trace_containers.def.  One hand-written line per container, the
# smallest output of that server (the fields each trace_<name>.c names),
# with the container name it must be read as: trace.h's format names.
. "$(dirname "$0")/lib.sh"
cat >"$tmp/c.jsonl" <<'L'
{"tokens": [{"token": "[", "logprob": -0.1}], "finish_reason": "stop"}
{"generated_text": "ab", "generated_tokens": [1, 2], "num_generated_tokens": 2}
{"request_id": "0", "outputs": [{"text": "ab", "token_ids": [1, 2], "finish_reason": "stop"}], "finished": true}
{"text": "ab", "meta_info": {"output_token_logprobs": [[-0.1, 5, "ab"]], "finish_reason": {"type": "stop"}}}
{"generated_text": "ab", "details": {"finish_reason": "length", "tokens": [{"id": 1, "text": "ab", "logprob": -0.2}]}}
{"model": "m", "created_at": "t", "response": "ab", "done": true, "done_reason": "stop", "logprobs": [{"token": "ab", "logprob": -0.1}]}
{"choices": [{"index": 0, "message": {"content": "ab"}, "finish_reason": "stop"}]}
{"content": "ab", "stop_type": "limit", "completion_probabilities": [{"token": "ab", "logprob": -0.3}]}
{"custom_id": "r1", "response": {"status_code": 200, "body": {"choices": [{"text": "ab", "finish_reason": "stop"}]}}}
L
"$BIN" formats "$tmp/c.jsonl" >"$tmp/out" 2>&1
i=0
for want in native ray-data vllm-offline sglang tgi ollama openai llamacpp openai-batch; do
	i=$((i + 1))
	check "line $i read as $want" grep -q "^$tmp/c.jsonl:$i  $want  " "$tmp/out"
done
def=analysis/trace_containers.def
[ -f "$def" ] || def="$(dirname "$0")/../../analysis/trace_containers.def"
check "one line here per container of trace_containers.def ($i)" \
	[ "$(grep -c '^TRACE_CONTAINER(' "$def")" -eq "$i" ]
[ "$fails" -eq 0 ] || cat "$tmp/out"
[ "$fails" -eq 0 ]
