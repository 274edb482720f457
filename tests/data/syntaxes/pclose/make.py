#!/usr/bin/env python3
"""make.py — writes traces.jsonl: one hand-built trace per syntax with a known
P(close) at every record boundary (tests/unit/test_confidence.c and the
differential test read it; run from this directory to regenerate).

Every line holds three records A, B, B (A = cat [10,20,30,40], B = dog
[50,60,70,80], in the syntax's own units), so the repeated tail starts at
record 3 (tail_start 2).  The step that decides whether the list ends after
record k (the grammar's decision step, README "P(close)") offers an ending
token with probability P[k] = 0.3, 0.2, 0.1 (k = 0, 1, 2), the going-on
token with 1 - P[k]; the last record's decision is the ending token, chosen.
Every other step offers itself (0.9) and "zzz" (0.1), which ends nothing:
a rule that looks at the wrong step reads 0 (or NAN past the end), never P.
So per line: P(close) after records 1, 2, 3 = 0.3, 0.2, 0.1;
at tail start (after #2) = 0.2; max before tail = 0.3 (after #1).
"""
import json
import math

P = [0.3, 0.2, 0.1]


def step(tok, lp=math.log(0.9), alts=None):
    if alts is None:
        alts = [(tok, lp), ("zzz", math.log(0.1))]
    return {"token": tok, "logprob": lp,
            "top_logprobs": [{"token": t, "logprob": l} for t, l in alts]}


def decide(go, end, k, chosen_end=False):
    """The decision after record k: `go` continues, `end` ends."""
    pe, pg = math.log(P[k]), math.log(1 - P[k])
    alts = [(go, pg), (end, pe)]
    return step(end, pe, alts) if chosen_end else step(go, pg, alts)


def line(image_id, steps, name):
    text = "".join(s["token"] for s in steps)
    return {"image_id": image_id, "syntax_case": name,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                         "logprobs": {"content": steps}, "finish_reason": "stop"}]}


def tagged(recs, go, end, first_go=None):
    """recs: token lists of A, B, B; go: the next record's first token."""
    out = []
    for k, r in enumerate(recs):
        toks = list(r)
        if k > 0:
            toks = toks[1:]  # its first token was the decision
        out += [step(t) for t in toks]
        if k < 2:
            out.append(decide(recs[k + 1][0], end, k))
        else:
            out.append(decide(go, end, k, chosen_end=True))
    return out


cases = []
# 1. JSON, separate tokens: the record ends with "}", the decision is the next token
A = '{"bbox_2d": [10, 20, 30, 40], "label": "cat"}'
B = '{"bbox_2d": [50, 60, 70, 80], "label": "dog"}'
s = [step("```json\n[\n  ")]
s += [step(A), decide(",\n  ", "\n]", 0), step(B), decide(",\n  ", "\n]", 1), step(B),
      decide(",\n  ", "\n]", 2, chosen_end=True), step("\n```"), step("<|im_end|>")]
cases.append(("json-separate", s))
# 2. JSON, a merged vocabulary: '"},\n' goes on, '"}\n' ends (then "]")
a, b = A[:-2], B[:-2]
s = [step("```json\n[\n  ")]
s += [step(a), decide('"},\n  ', '"}\n', 0), step(b), decide('"},\n  ', '"}\n', 1), step(b),
      decide('"},\n  ', '"}\n', 2, chosen_end=True), step("]\n```"), step("<|im_end|>")]
cases.append(("json-merged", s))
# 3. JSON, the brace alone, then a blank token, then the decision
s = [step("[")]
s += [step(A), step("\n"), decide(", ", "]", 0), step(B), step("\n"), decide(", ", "]", 1), step(B),
      step("\n"), decide(", ", "]", 2, chosen_end=True), step("<|endoftext|>")]
cases.append(("json-blank", s))
# 4. PaliGemma: the label ends at " ;" or at EOS: the separator step decides
s = []
for k, (loc, lab) in enumerate([("<loc0020><loc0010><loc0040><loc0030>", " cat"),
                                 ("<loc0060><loc0050><loc0080><loc0070>", " dog"),
                                 ("<loc0060><loc0050><loc0080><loc0070>", " dog")]):
    # the last EOS as servers often report it: empty text (a "<eos>" text
    # step would join the label)
    s += [step(loc), step(lab), decide(" ;", "<eos>" if k < 2 else "", k, chosen_end=k == 2)]
cases.append(("paligemma", s))
# 5. Qwen2-VL
def q2(lab, box):
    return ["<|object_ref_start|>", lab, "<|object_ref_end|>", "<|box_start|>", box, "<|box_end|>"]
cases.append(("qwen2vl", tagged([q2("cat", "(10,20),(30,40)"), q2("dog", "(50,60),(70,80)"),
                                  q2("dog", "(50,60),(70,80)")], "<|object_ref_start|>", "<|im_end|>")))
# 6. Qwen-VL / InternVL
def rb(lab, box):
    return ["<ref>", lab, "</ref>", "<box>", box, "</box>"]
cases.append(("internvl", tagged([rb("cat", "[[10,20,30,40]]"), rb("dog", "[[50,60,70,80]]"),
                                   rb("dog", "[[50,60,70,80]]")], "<ref>", "<|im_end|>")))
# 7. DeepSeek-VL2 (its EOS has full-width bars and U+2581)
def ds(lab, box):
    return ["<|ref|>", lab, "<|/ref|>", "<|det|>", box, "<|/det|>"]
cases.append(("deepseek", tagged([ds("cat", "[[10,20,30,40]]"), ds("dog", "[[50,60,70,80]]"),
                                   ds("dog", "[[50,60,70,80]]")], "<|ref|>",
                                  "<\uff5cend\u2581of\u2581sentence\uff5c>")))
# 8. Kosmos-2 (patch indices: 44/863 and 100/900)
def ko(lab, p1, p2):
    return ["<phrase>", lab, "</phrase>", "<object>", p1, p2, "</object>"]
cases.append(("kosmos2", tagged([ko(" a cat", "<patch_index_0044>", "<patch_index_0863>"),
                                  ko(" a dog", "<patch_index_0100>", "<patch_index_0900>"),
                                  ko(" a dog", "<patch_index_0100>", "<patch_index_0900>")],
                                 "<phrase>", "</s>")))
# 9. Florence-2: label then four <loc_N>; the step after the 4th decides
def fl(lab, v):
    return [lab] + ["<loc_%d>" % x for x in v]
cases.append(("florence2", tagged([fl("cat", (10, 20, 30, 40)), fl("dog", (50, 60, 70, 80)),
                                    fl("dog", (50, 60, 70, 80))], "cat", "</s>")))
# 10. Molmo points
def mo(lab, x, y):
    return ['<point x="%s" y="%s" alt="%s">' % (x, y, lab), lab, "</point>"]
cases.append(("molmo", tagged([mo("cat", "10.0", "20.0"), mo("dog", "50.0", "60.0"),
                                mo("dog", "50.0", "60.0")], "<point", "<|endoftext|>")))
# 11. a custom vocabulary: run.json declares "eos_tokens": ["<|my_stop|>"]
s = [step("[")]
s += [step(A), decide(", ", "<|my_stop|>", 0), step(B), decide(", ", "<|my_stop|>", 1), step(B),
      decide(", ", "<|my_stop|>", 2, chosen_end=True)]
cases.append(("custom-eos", s))

with open("traces.jsonl", "w", encoding="utf-8") as f:
    for i, (name, s) in enumerate(cases, 1):
        f.write(json.dumps(line(i, s, name), ensure_ascii=False) + "\n")
