#!/usr/bin/env python3
"""make_vllm_n.py — writes vllm_n2.jsonl: vLLM offline RequestOutput dumps
with n > 1 (issue 23), from vLLM's public definitions (vllm/outputs.py):
RequestOutput {request_id, prompt, prompt_token_ids, outputs, finished} and
CompletionOutput {index, text, token_ids, cumulative_logprob, logprobs,
finish_reason, stop_reason}, plus the user's own column image_id.
Each completion is a sample of the same image, in outputs[] order:
  line 1, image 7, request "r7": outputs[0] = [cat, dog] finish "stop"
      (2 records, closed); outputs[1] = [dog, dog, dog (no "]") finish
      "length" (3 records, 2 duplicates, truncated, tail from record 2)
  line 2, image 8, request "r8": one completion [cat], "stop" (closed)
So: 3 samples; lines 1, 1, 2.  Run from this directory to regenerate."""
import json

A = '{"bbox_2d": [10, 20, 30, 40], "label": "cat"}'
B = '{"bbox_2d": [50, 60, 70, 80], "label": "dog"}'


def out(i, text, fin, n_tok):
    return {"index": i, "text": text, "token_ids": list(range(100, 100 + n_tok)),
            "cumulative_logprob": None, "logprobs": None, "finish_reason": fin,
            "stop_reason": None}


def req(rid, image_id, outs):
    return {"request_id": rid, "prompt": "Detect every object.", "prompt_token_ids": [1, 2],
            "image_id": image_id, "outputs": outs, "finished": True}


lines = [req("r7", 7, [out(0, "[" + A + "," + B + "]", "stop", 20),
                       out(1, "[" + B + "," + B + "," + B, "length", 30)]),
         req("r8", 8, [out(0, "[" + A + "]", "stop", 10)])]
with open("vllm_n2.jsonl", "w") as f:
    for l in lines:
        f.write(json.dumps(l) + "\n")
