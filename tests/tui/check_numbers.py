#!/usr/bin/env python3
"""check_numbers.py SCREEN TRACES LINE REPORT_JSON PCLOSE_REF MODE

Every number of the debugger's screen that report --json (or the
independent P(close) reference, tests/pclose_ref.py) also gives must be
whole and equal (tests/tui/test_numbers.sh):
  main:    coordinate tuples "a,b,c,d" are records of that trace line (read
           here from the raw JSON); "at tail start (after #N) X" is
           p_close_at_tail_start after record tail_start; "#k X" on the
           P(close) row is the reference's value after record k;
  metrics: "(stop_step N)", "(tail_start N)", the P(close) rows and every
           P/R/F1 triplet.
Prints "checked K" (numbers compared) and exits 1 on the first mismatch."""
import json
import re
import sys

screen = open(sys.argv[1], encoding="utf-8").read()
line_no = int(sys.argv[3])
mode = sys.argv[6]
tr = json.loads(open(sys.argv[2], encoding="utf-8").read().split("\n")[line_no - 1])
if "tokens" in tr:
    text = "".join(t["token"] if isinstance(t, dict) else t for t in tr["tokens"])
else:
    text = "".join(t["token"] for t in tr["choices"][0]["logprobs"]["content"])
num = r"-?\d+(?:\.\d+)?"
tuples = {",".join(m) for m in re.findall(r"\[\s*(%s)\s*,\s*(%s)\s*,\s*(%s)\s*,\s*(%s)\s*\]" % (num, num, num, num), text)}
rep = json.load(open(sys.argv[4]))["runs"][0]
sample = next(s for s in rep["samples"] if s["line"] == line_no)
ref = next(json.loads(l) for l in open(sys.argv[5]) if json.loads(l)["line"] == line_no)
checked = 0


def fail(msg):
    print("MISMATCH: " + msg)
    sys.exit(1)


def r3(v):
    return "%.3f" % v


if mode == "main":
    for m in re.finditer(r"(?<![\d,.])(\d+(?:\.\d+)?(?:,\d+(?:\.\d+)?){3})(?![\d,.…~])", screen):
        if m.group(1) not in tuples:
            fail("coordinates %s are no record of line %d" % (m.group(1), line_no))
        checked += 1
    for m in re.finditer(r"at tail start \(after #(\d+)\) (\d\.\d{3})", screen):
        if int(m.group(1)) != sample["tail_start"] or m.group(2) != r3(sample["p_close_at_tail_start"]):
            fail("tail start %s %s vs %s %s" % (m.group(1), m.group(2), sample["tail_start"], sample["p_close_at_tail_start"]))
        checked += 1
    row = next((l for l in screen.split("\n") if l.startswith(" P(close) ")), "")
    row = row.split("│")[-1]
    for m in re.finditer(r"#(\d+) (\d\.\d{3}|\?)(?![\d…~])", row):
        k = int(m.group(1))
        want = ref["p"][k - 1]
        if m.group(2) != ("?" if want is None else r3(want)):
            fail("P(close) after #%d: %s vs reference %s" % (k, m.group(2), want))
        checked += 1
else:
    pols = sample["policies"]
    for m in re.finditer(r"\(stop_step (\d+)\)", screen):
        if int(m.group(1)) != pols["repeat_stop"]["stop_step"]:
            fail("stop_step %s" % m.group(1))
        checked += 1
    for m in re.finditer(r"\(tail_start (\d+)\)", screen):
        if int(m.group(1)) != sample["tail_start"]:
            fail("tail_start %s" % m.group(1))
        checked += 1
    for key in ("p_close_at_tail_start", "p_close_max_before_tail"):
        for m in re.finditer(r"after #(\d+): (\d\.\d{3}) \(%s\)" % key, screen):
            if m.group(2) != r3(sample[key]):
                fail("%s %s vs %s" % (key, m.group(2), sample[key]))
            checked += 1
    trip = set()
    def prf(c):
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0
        f = 2 * p * r / (p + r) if p + r else 0
        return "/".join(r3(x) for x in (p, r, f))
    for pol in pols.values():
        for c in pol["counts"].values():
            trip.add(prf(c))
    for pname in ("off", "repeat_stop"):
        for c in rep[pname]["f1"].values():
            trip.add(prf(c))
    for m in re.finditer(r"(?<![\d.])(\d\.\d{3}/\d\.\d{3}/\d\.\d{3})(?![\d…~])", screen):
        if m.group(1) not in trip:
            fail("P/R/F1 %s not in report --json" % m.group(1))
        checked += 1
print("checked %d" % checked)
