#!/usr/bin/env python3
"""make.py — writes traces.jsonl: hand-built PaliGemma traces whose last
token is an EOS written out as text, as some dumps decode it (issue 23).
PaliGemma's output grammar (big_vision's paligemma README): four <locNNNN>
tokens y1 x1 y2 x2, a label, " ; " between records; the EOS token
(Gemma's "<eos>", id 1) ends the output.  The EOS is no text of the list:
every line's records are cat [20,10,40,30] and dog [60,50,80,70] (y first)
and its finish_reason is "stop", so tailscope must read labels "cat" and
"dog" (never "dog<eos>") and termination "closed".
  1: ... " dog", "<eos>"                    (the literal EOS token)
  2: ... " dog", "<end_of_turn>", "<eos>"   (two EOS tokens at the end)
  3: ... " dog", "<|my_stop|>"              (run.json "eos_tokens")
  4: ... " dog", " <eos>"                   (not an EOS text: a control,
     the token is " <eos>" with a space, so it stays label text: "dog <eos>")
Run from this directory to regenerate."""
import json
import math


def step(tok):
    lp = math.log(0.9)
    return {"token": tok, "logprob": lp,
            "top_logprobs": [{"token": tok, "logprob": lp},
                             {"token": "zzz", "logprob": math.log(0.1)}]}


def line(image_id, tail):
    toks = ["<loc0020><loc0010><loc0040><loc0030>", " cat", " ;",
            "<loc0060><loc0050><loc0080><loc0070>", " dog"] + tail
    steps = [step(t) for t in toks]
    return {"image_id": image_id,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "".join(toks)},
                         "logprobs": {"content": steps}}]}


tails = [["<eos>"], ["<end_of_turn>", "<eos>"], ["<|my_stop|>"], [" <eos>"]]
with open("traces.jsonl", "w") as f:
    for i, t in enumerate(tails, 1):
        f.write(json.dumps(line(i, t)) + "\n")
