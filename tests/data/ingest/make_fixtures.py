#!/usr/bin/env python3
"""Writes the issue-23 ingestion fixtures from the public field definitions
(not from tailscope's output).  Run from this directory; the output is
committed.  Token pieces are Qwen-like; ids are arbitrary but consistent.

ray-run/        Ray Data LLM rows (vLLMOutputData in Ray's
                python/ray/llm/_internal/batch/stages/vllm_engine_stage.py:
                prompt, prompt_token_ids, num_input_tokens, generated_tokens,
                generated_text, num_generated_tokens, logprobs
                [{token_id: {logprob, rank, decoded_token}}], metrics) plus
                user columns image_id / file_name, as ds.write_json() writes
                them (one object per line, files <uuid>_<block>_<task>.json);
                run.json max_new_tokens 50.
vllm_offline.jsonl  vLLM RequestOutput dumps (request_id, prompt,
                prompt_token_ids, outputs[{index, text, token_ids,
                cumulative_logprob, logprobs, finish_reason, stop_reason}],
                finished) plus image_id.
vllm_run_batch.jsonl  `vllm run-batch` output (OpenAI batch lines: id,
                custom_id, response {status_code, request_id, body:
                chat.completion with logprobs}, error).
hf_generate.jsonl  the README's transformers recipe output: native
                {"image_id", "finish_reason", "tokens": [{"token",
                "logprob", "top_logprobs": [{"token", "logprob"}]}]}.
"""
import json, math, os

VOCAB = {}
def tid(piece):
    return VOCAB.setdefault(piece, 1000 + len(VOCAB))

def record(x1, y1, x2, y2, label):
    return ['{"', 'bbox', '_2d', '":', ' [', str(x1), ',', ' ', str(y1), ',', ' ', str(x2), ',',
            ' ', str(y2), '],', ' "', 'label', '":', ' "', label, '"}']

def answer(recs, close=True):
    p = ['[']
    for i, r in enumerate(recs):
        if i:
            p.append(',')
        p += record(*r)
    if close:
        p.append(']')
    return p

ALT = [' ', ',', '0', '"}', '\n']

def lp_of(i):
    return round(-0.05 - 0.01 * (i % 7), 4)

def vllm_dict(piece, i, k=3, sampled_rank=1):
    """{token_id: Logprob} for one step: top-k by rank, the sampled token
    among them (rank sampled_rank <= k) or added after them (rank > k)."""
    d = {}
    others = [a for a in ALT if a != piece]
    chosen = {"logprob": lp_of(i) if sampled_rank == 1 else -3.5, "rank": sampled_rank,
              "decoded_token": piece}
    r = 1
    for a in others:
        if len(d) >= k - (1 if sampled_rank <= k else 0):
            break
        if r == sampled_rank:
            d[str(tid(piece))] = chosen
            r += 1
        d[str(tid(a))] = {"logprob": round(-2.0 - r, 4), "rank": r, "decoded_token": a}
        r += 1
    if str(tid(piece)) not in d:
        if sampled_rank <= k:
            d[str(tid(piece))] = chosen
        else:
            d[str(tid(piece))] = chosen
    return d

def ray_row(pieces, image_id, file_name, logprobs=True, rank_at=None):
    ids = [tid(p) for p in pieces]
    lps = None
    if logprobs:
        lps = [vllm_dict(p, i, 3, 5 if i == rank_at else 1) for i, p in enumerate(pieces)]
    text = ''.join(p for p in pieces if p != '<|im_end|>')
    return {"prompt": "<|im_start|>user\nDetect every object.<|im_end|>\n<|im_start|>assistant\n",
            "prompt_token_ids": [1, 2, 3], "num_input_tokens": 3,
            "generated_tokens": ids, "generated_text": text, "num_generated_tokens": len(ids),
            "embeddings": None, "metrics": {"arrival_time": 1.0}, "logprobs": lps,
            "prompt_logprobs": None, "image_id": image_id, "file_name": file_name,
            "time_taken_llm": 0.5}

def main():
    os.makedirs("ray-run", exist_ok=True)
    # row 1: one record, closed, ends with the EOS token (inferred stop, eos)
    r1 = answer([(10, 20, 30, 40, "cat")]) + ['<|im_end|>']
    # row 2: the record repeated until max_new_tokens (50): no EOS (length)
    r2 = answer([(1, 2, 3, 4, "dog")] * 3, close=False)[:50]
    # row 3: no logprobs requested: generated_text only; 2 tokens < 50 (stop)
    r3 = ['[]']
    # row 4: one record; the sampled token at step 2 ranked 5th, beyond the top-3
    r4 = answer([(5, 6, 7, 8, "cat")])
    rows_a = [ray_row(r1, 1, "a.png"), ray_row(r2, 2, "b.png")]
    rows_b = [ray_row(r3, 3, "c.png", logprobs=False), ray_row(r4, 4, "d.png", rank_at=2)]
    rows_b[0]["num_generated_tokens"] = 2
    rows_b[0]["generated_tokens"] = [tid('[]'), tid('<|im_end|>')]
    with open("ray-run/5f2b9c0e1d7a4e3b_000000_000000.json", "w") as f:
        for r in rows_a:
            f.write(json.dumps(r) + "\n")
    with open("ray-run/5f2b9c0e1d7a4e3b_000001_000000.json", "w") as f:
        for r in rows_b:
            f.write(json.dumps(r) + "\n")
    with open("ray-run/run.json", "w") as f:
        json.dump({"name": "ray-run", "max_new_tokens": 50, "coords": "qwen3"}, f)

    # vLLM offline RequestOutput dumps
    def req(rid, pieces, finish, stop_reason=None, logprobs=True, image_id=None):
        ids = [tid(p) for p in pieces]
        lps = [vllm_dict(p, i) for i, p in enumerate(pieces)] if logprobs else None
        cum = round(sum(lp_of(i) for i in range(len(pieces))), 4) if logprobs else None
        return {"request_id": rid, "prompt": "Detect every object.", "prompt_token_ids": [1, 2, 3],
                "prompt_logprobs": None,
                "outputs": [{"index": 0, "text": ''.join(pieces), "token_ids": ids,
                             "cumulative_logprob": cum, "logprobs": lps,
                             "finish_reason": finish, "stop_reason": stop_reason}],
                "finished": True, "image_id": image_id}
    v1 = answer([(10, 20, 30, 40, "cat"), (50, 60, 70, 80, "dog")])
    v2 = answer([(1, 2, 3, 4, "dog")] * 2, close=False)
    v3 = answer([(9, 9, 19, 19, "cat")])
    with open("vllm_offline.jsonl", "w") as f:
        f.write(json.dumps(req("0", v1, "stop", None, True, 1)) + "\n")
        f.write(json.dumps(req("1", v2, "length", None, True, 2)) + "\n")
        f.write(json.dumps(req("2", v3, None, None, False, 3)) + "\n")

    # vllm run-batch output (OpenAI batch file lines)
    def chat(pieces, finish):
        content = [{"token": p, "logprob": lp_of(i), "bytes": list(p.encode()),
                    "top_logprobs": [{"token": p, "logprob": lp_of(i), "bytes": list(p.encode())},
                                     {"token": " ", "logprob": -4.0, "bytes": [32]}]}
                   for i, p in enumerate(pieces)]
        return {"id": "chatcmpl-x", "object": "chat.completion", "created": 0, "model": "m",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": ''.join(pieces)},
                             "logprobs": {"content": content}, "finish_reason": finish,
                             "stop_reason": None}],
                "usage": {"prompt_tokens": 3, "completion_tokens": len(pieces), "total_tokens": 3 + len(pieces)}}
    with open("vllm_run_batch.jsonl", "w") as f:
        f.write(json.dumps({"id": "vllm-b1", "custom_id": "a.png", "response": {"status_code": 200, "request_id": "vllm-batch-1", "body": chat(v1, "stop")}, "error": None}) + "\n")
        f.write(json.dumps({"id": "vllm-b2", "custom_id": "b.png", "response": {"status_code": 400, "request_id": "vllm-batch-2", "body": None}, "error": {"message": "context too long"}}) + "\n")
        f.write(json.dumps({"id": "vllm-b3", "custom_id": "c.png", "response": {"status_code": 200, "request_id": "vllm-batch-3", "body": chat(v2, "length")}, "error": None}) + "\n")

    # the README's transformers recipe output (top-5, log-softmax values)
    def hf(pieces, image_id, finish):
        toks = []
        for i, p in enumerate(pieces):
            top = [{"token": p, "logprob": lp_of(i)}] + [
                {"token": a, "logprob": round(-3.0 - j, 4)} for j, a in enumerate(x for x in ALT if x != p)][:4]
            toks.append({"token": p, "logprob": lp_of(i), "top_logprobs": top})
        return {"image_id": image_id, "finish_reason": finish, "tokens": toks}
    with open("hf_generate.jsonl", "w") as f:
        f.write(json.dumps(hf(v1 + ['<|im_end|>'], 1, "stop")) + "\n")
        f.write(json.dumps(hf(v2, 2, "length")) + "\n")

main()
