#!/usr/bin/env python3
"""check.py — independent checks for tests/cli/test_capture.sh.  Each
subcommand exits 0 when the check holds, else prints why and exits 1.

  stops REC                      print {file_name: stop step or null} as JSON:
                                 the step that completes the first exact
                                 duplicate record, found by its own scanner
                                 (brace depth outside JSON strings, records
                                 compared as parsed (label, bbox))
  prefix REC TRACES POLICY       every captured line equals the recorded
                                 completion: all of it (off) or its steps up
                                 to the stop step (repeat_stop), with
                                 finish_reason / stop_reason / stop_step
  serverlog LOG REC SLACK        for each stopped image the server saw the
                                 client go away after between stop+1 and
                                 stop+1+SLACK token events, before the end
  report-equal A.json B.json KEY runs[0][KEY] of two `report --json` equal
                                 (floats to 1e-12; without the fields
                                 relative to the trace's own full list)
  report-terms A.json KA B.json KB [tokens] [STOPPED]  the termination
                                 counts (samples, closed, truncated,
                                 malformed, stopped, termination_rate; with
                                 "tokens" also tokens) of runs[0][KA] and
                                 runs[0][KB] equal, and A's stopped count is
                                 > 0 (or exactly STOPPED when given)
"""
import json
import math
import sys


def same_json(x, y):
    """Equal, floats up to 1e-12 relative: sums over the samples (the
    calibration bins) depend on the order the capture wrote its lines in."""
    if isinstance(x, float) or isinstance(y, float):
        return isinstance(x, (int, float)) and isinstance(y, (int, float)) and \
            math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-15)
    if isinstance(x, dict) and isinstance(y, dict):
        return x.keys() == y.keys() and all(same_json(x[k], y[k]) for k in x)
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(same_json(p, q) for p, q in zip(x, y))
    return x == y


def load_jsonl(p):
    with open(p, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def items_of(c):
    return c["choices"][0]["logprobs"]["content"]


def tok_bytes(it):
    return bytes(it["bytes"]) if it.get("bytes") is not None else it["token"].encode()


def stop_step(c):
    """Step completing the first record equal to an earlier one, or None."""
    seen = set()
    depth, in_str, esc, start = 0, False, False, None
    buf = bytearray()
    for k, it in enumerate(items_of(c)):
        for ch in tok_bytes(it):
            buf.append(ch)
            pos = len(buf) - 1
            if in_str:
                if esc:
                    esc = False
                elif ch == 0x5c:
                    esc = True
                elif ch == 0x22:
                    in_str = False
                continue
            if ch == 0x22:
                in_str = True
            elif ch == 0x7b:
                depth += 1
                if depth == 1:
                    start = pos
            elif ch == 0x7d:
                depth -= 1
                if depth == 0 and start is not None:
                    o = json.loads(bytes(buf[start:pos + 1]).decode())
                    key = (o["label"], tuple(float(v) for v in o["bbox_2d"]))
                    if key in seen:
                        return k
                    seen.add(key)
                    start = None
    return None


def same_lp(a, b):
    if a is None or b is None:
        return a is None and b is None
    return a == b or (math.isnan(a) and math.isnan(b))


def same_item(a, b):
    if tok_bytes(a) != tok_bytes(b) or not same_lp(a.get("logprob"), b.get("logprob")):
        return False
    ta, tb = a.get("top_logprobs") or [], b.get("top_logprobs") or []
    return len(ta) == len(tb) and all(
        tok_bytes(x) == tok_bytes(y) and same_lp(x.get("logprob"), y.get("logprob"))
        for x, y in zip(ta, tb))


def fail(msg):
    print("check.py: " + msg)
    sys.exit(1)


def cmd_prefix(rec_p, tr_p, policy):
    rec = {c["file_name"]: c for c in load_jsonl(rec_p)}
    got = load_jsonl(tr_p)
    if sorted(g["file_name"] for g in got) != sorted(rec):
        fail("captured images %s, recorded %s" % (sorted(g["file_name"] for g in got), sorted(rec)))
    for g in got:
        name = g["file_name"]
        r = rec[name]
        if g.get("image_id") != r["image_id"]:
            fail("%s: image_id %r, expected %r" % (name, g.get("image_id"), r["image_id"]))
        want = items_of(r)
        ch = g["choices"][0]
        s = stop_step(r) if policy == "repeat_stop" else None
        if s is not None:
            want = want[:s + 1]
            if ch.get("finish_reason") != "stop" or ch.get("stop_reason") != "repeat_stop" \
                    or g["capture"].get("stop_step") != s:
                fail("%s: finish %r stop_reason %r stop_step %r, expected stop/repeat_stop/%d" % (
                    name, ch.get("finish_reason"), ch.get("stop_reason"),
                    g["capture"].get("stop_step"), s))
        elif ch.get("finish_reason") != r["choices"][0]["finish_reason"] or "stop_reason" in ch:
            fail("%s: finish_reason %r, expected %r" % (name, ch.get("finish_reason"),
                                                         r["choices"][0]["finish_reason"]))
        have = items_of(g)
        if len(have) != len(want):
            fail("%s: %d steps, expected %d" % (name, len(have), len(want)))
        for k, (a, b) in enumerate(zip(have, want)):
            if not same_item(a, b):
                fail("%s: step %d differs: %r vs %r" % (name, k, a, b))
        text = b"".join(tok_bytes(i) for i in want).decode("utf-8", "replace")
        if ch["message"]["content"] != text:
            fail("%s: message.content differs" % name)


def cmd_serverlog(log_p, rec_p, slack):
    rec = {c["file_name"]: c for c in load_jsonl(rec_p)}
    log = [l for l in load_jsonl(log_p) if l.get("mode") == "ok"]
    stopped = 0
    for name, c in rec.items():
        s = stop_step(c)
        ls = [l for l in log if l["file_name"] == name]
        if len(ls) != 1:
            fail("%s: %d ok requests in the server log" % (name, len(ls)))
        l = ls[0]
        if s is None:
            if l["disconnected"] or l["token_events_sent"] != l["total"]:
                fail("%s: no stop expected, server log %r" % (name, l))
            continue
        stopped += 1
        sent = l["token_events_sent"]
        if not l["disconnected"] or not (s + 1 <= sent <= s + 1 + slack) or sent >= l["total"]:
            fail("%s: stop step %d, but the server log says %r" % (name, s, l))
    if not stopped:
        fail("no recorded completion has a duplicate: the check would be empty")


def main():
    a = sys.argv[1:]
    if a[0] == "stops":
        print(json.dumps({c["file_name"]: stop_step(c) for c in load_jsonl(a[1])}, sort_keys=True))
    elif a[0] == "prefix":
        cmd_prefix(a[1], a[2], a[3])
    elif a[0] == "serverlog":
        cmd_serverlog(a[1], a[2], int(a[3]))
    elif a[0] == "report-equal":
        x = json.load(open(a[1]))["runs"][0][a[3]]
        y = json.load(open(a[2]))["runs"][0][a[3]]
        # the policy lab's fields compare a policy with the trace's own full
        # list, which a live capture has already cut: left out here
        for k in ("tokens_saved", "samples_with_tail", "false_stops", "early_stops",
                  "tails_unstopped", "tp_lost"):
            x.pop(k, None)
            y.pop(k, None)
        if not same_json(x, y):
            fail("report %s differs:\n%s\n%s" % (a[3], json.dumps(x, sort_keys=True)[:2000],
                                                 json.dumps(y, sort_keys=True)[:2000]))
    elif a[0] == "report-terms":
        x = json.load(open(a[1]))["runs"][0][a[2]]
        y = json.load(open(a[3]))["runs"][0][a[4]]
        keys = ["samples", "closed", "truncated", "malformed", "stopped", "termination_rate"]
        rest = a[5:]
        if rest and rest[0] == "tokens":
            keys.append("tokens")
            rest = rest[1:]
        dx = {k: x.get(k) for k in keys}
        dy = {k: y.get(k) for k in keys}
        want = int(rest[0]) if rest else None
        if dx != dy or not dx["stopped"] or (want is not None and dx["stopped"] != want):
            fail("termination differs (or nothing stopped):\n%s\n%s" % (dx, dy))
    else:
        fail("unknown subcommand " + a[0])


if __name__ == "__main__":
    main()
