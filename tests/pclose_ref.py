#!/usr/bin/env python3
"""pclose_ref.py — an independent computation of P(close) for JSON lists.

Reads a traces JSONL file (OpenAI chat completions with logprobs, as vLLM
saves them, or tailscope's native {"tokens": [{token, logprob, top_logprobs}]}) and, for each line, prints one JSON object:
  {"line": N, "records": R, "tail_start": T|null, "p": [P after record 1, ...],
   "max_before_tail": M|null, "at_tail_start": A|null}
It does not use tailscope's code: it re-implements the README's definition
("P(close)") from the raw token list:
  - a record is an object at list level inside the first "[" of the text;
    it completes at the "}" that closes it (the step holding that byte);
  - JSON rule: after the record's "}" (and any "}" that follow it through
    blanks) the first non-blank character decides.  If the token holding the
    brace, or any alternative at that step, has non-blank text after its own
    brace, the decision is that step: an alternative ends the list when it
    is an EOS or its text after its brace is empty/blank or starts (after
    blanks) with "]", "`" or an EOS; the chosen token ends it when the
    generated text after the brace reaches "]", "`" or an EOS step first
    (or the output ends with finish_reason "stop").  Otherwise the decision
    is the first later step whose token is not blank; a token ends the list
    there when it is an EOS or starts (after blanks) with "]" or "`".
  - P = sum of exp(logprob) of the ending tokens at the decision step (the
    chosen token counted once), capped at 1; None when the decision step has
    no alternatives or lies past the end.
  - tail_start: first index of the longest suffix of records that are all
    exact duplicates (same label, same four numbers) of earlier records.
Usage: pclose_ref.py TRACES.jsonl [EOS ...]
"""
import json
import math
import sys

EOS = {"<eos>", "<end_of_turn>", "<|im_end|>", "<|endoftext|>", "</s>",
       "<\uff5cend\u2581of\u2581sentence\uff5c>", "<|eot_id|>", "<|end_of_text|>", "<|end|>", ""}
BLANK = " \t\r\n"


def first_nonblank(s):
    s2 = s.lstrip(BLANK)
    return s2


def starts_end(s):
    """After blanks: ']' / '`' / an EOS -> True; blank/empty -> None; else False."""
    r = first_nonblank(s)
    if r == "":
        return None
    return r[0] in "]`" or r in EOS


def after_brace(s):
    i = s.find("}")
    if i < 0:
        return None
    j = k = i + 1
    while j < len(s) and (s[j] in BLANK or s[j] == "}"):
        if s[j] == "}":
            k = j + 1
        j += 1
    return s[k:]


def steps_of(obj):
    if "tokens" in obj:  # tailscope's native container
        return obj["tokens"], obj.get("finish_reason")
    ch = obj["choices"][0]
    toks = ch["logprobs"]["content"]
    return toks, ch.get("finish_reason")


def records_of(toks):
    """[(label, box tuple, completing step index)] for the list's objects."""
    text, owner = [], []
    for i, t in enumerate(toks):
        text.append(t["token"])
        owner.extend([i] * len(t["token"]))
    s = "".join(text)
    out = []
    lb = s.find("[")
    if lb < 0:
        return out
    depth, start, in_str, esc, i = 0, None, False, False, lb + 1
    while i < len(s):
        c = s[i]
        if in_str:
            if esc:
                esc = False
            elif c == "\\":
                esc = True
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c in "{[":
            if depth == 0 and c == "{":
                start = i
            depth += 1
        elif c in "}]":
            if depth == 0 and c == "]":
                break
            depth -= 1
            if depth == 0 and c == "}" and start is not None:
                try:
                    o = json.loads(s[start:i + 1])
                    box = o.get("bbox_2d") or o.get("bbox") or o.get("box_2d")
                    if isinstance(o.get("label"), str) and isinstance(box, list) and len(box) == 4:
                        out.append((o["label"], tuple(box), owner[i]))
                except ValueError:
                    pass
                start = None
        i += 1
    return out


def chosen_ends_after(toks, s, rest, finish):
    r = first_nonblank(rest)
    if r:
        return r[0] in "]`" or r in EOS
    for t in toks[s + 1:]:
        if t["token"] in EOS:
            return True
        r = first_nonblank(t["token"])
        if r:
            return r[0] in "]`"
    return finish == "stop"


def pclose(toks, s, finish):
    chosen = toks[s]["token"]
    rest = after_brace(chosen)
    in_token = rest is not None and starts_end(rest) is not None
    if not in_token and rest is not None:
        for a in toks[s].get("top_logprobs") or []:
            ar = after_brace(a["token"])
            if ar is not None and starts_end(ar) is not None:
                in_token = True
    if in_token:
        d = s
        ch_end = chosen_ends_after(toks, s, rest, finish)

        def alt_end(txt):
            if txt in EOS:
                return True
            ar = after_brace(txt)
            if ar is None:
                return False
            return starts_end(ar) is not False
    else:
        d = next((k for k in range(s + 1, len(toks))
                  if toks[k]["token"] in EOS or first_nonblank(toks[k]["token"])), None)
        if d is None:
            return None
        ch_end = toks[d]["token"] in EOS or bool(starts_end(toks[d]["token"]))

        def alt_end(txt):
            return txt in EOS or bool(starts_end(txt))
    alts = toks[d].get("top_logprobs") or []
    if not alts:
        return None
    p = 0.0
    lp = toks[d]["logprob"]
    for a in alts:
        if a["token"] == toks[d]["token"]:
            continue
        if alt_end(a["token"]):
            p += math.exp(a["logprob"])
    if ch_end:
        p += math.exp(lp)
    return min(p, 1.0)


def tail_start(recs):
    keys = [(r[0], r[1]) for r in recs]
    t = len(keys)
    while t > 0 and keys[t - 1] in keys[:t - 1]:
        t -= 1
    return t if t < len(keys) else None


def main():
    extra = sys.argv[2:]
    EOS.update(extra)
    for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
        if not line.strip():
            continue
        toks, finish = steps_of(json.loads(line))
        recs = records_of(toks)
        ps = [pclose(toks, r[2], finish) for r in recs]
        ts = tail_start(recs)
        lim = ts if ts is not None else len(recs)
        before = [p for p in ps[:lim] if p is not None]
        print(json.dumps({
            "line": n, "records": len(recs), "tail_start": ts, "p": ps,
            "max_before_tail": max(before) if before else None,
            "at_tail_start": ps[ts - 1] if ts is not None and ts >= 1 else None,
        }))


if __name__ == "__main__":
    main()
