#!/usr/bin/env python3
"""make.py — writes traces.jsonl: hand-built text-only PaliGemma traces (no
token steps: the native "text" field) whose text ends in an EOS written out
as text (issue 23 left-over; pg-eos holds the same with tokens).
PaliGemma's output grammar (big_vision's paligemma README): four <locNNNN>
tokens y1 x1 y2 x2, a label, " ; " between records; the EOS token (Gemma's
"<eos>") ends the output, so it is no label's text.  Every line's records
are cat [20,10,40,30] and the second record below, finish_reason "stop":
  1: ... " dog<eos>"                 -> dog
  2: ... " dog<end_of_turn><eos>"    -> dog (two EOS texts at the end)
  3: ... " dog<|my_stop|>"           -> dog (run.json "eos_tokens")
  4: ... " dog"                      -> dog (control: no EOS at all)
  5: ... " dog.<eos>"                -> dog. (the text path's pseudo-step
     ".<" straddles the cut: "." stays label text)
  6: ... " <eos>dog"                 -> <eos>dog (control: an EOS text not
     at the end is label text)
Run from this directory to regenerate."""
import json

tails = ["dog<eos>", "dog<end_of_turn><eos>", "dog<|my_stop|>", "dog", "dog.<eos>",
         "<eos>dog"]
with open("traces.jsonl", "w") as f:
    for i, t in enumerate(tails, 1):
        text = ("<loc0020><loc0010><loc0040><loc0030> cat ;"
                "<loc0060><loc0050><loc0080><loc0070> " + t)
        f.write(json.dumps({"image_id": i, "finish_reason": "stop", "text": text}) + "\n")
