#!/usr/bin/env python3
"""Differential check of `report --per-record` (CSV) against
`report --json --per-sample` of the same run and policies: every per-sample
number that the records determine is recomputed here from the record rows.
usage: per_record_check.py RECORDS.csv PER_SAMPLE.json
Prints "ok N samples, M records" or the first mismatch; exit 1 on mismatch."""
import csv
import json
import math
import sys


def main():
    rows = list(csv.DictReader(open(sys.argv[1], newline="")))
    rep = json.load(open(sys.argv[2]))
    pols = [p["name"] for p in rep["policies"]]
    by_line = {}
    for r in rows:
        by_line.setdefault((r["run"], int(r["line"])), []).append(r)
    n_samples = 0
    for run in rep["runs"]:
        for s in run["samples"]:
            n_samples += 1
            recs = by_line.pop((run["name"], s["line"]), [])
            where = "%s line %d" % (run["name"], s["line"])
            def need(cond, what):
                if not cond:
                    print("mismatch:", where, what)
                    sys.exit(1)
            need(len(recs) == s["records"], "records %d != %d" % (len(recs), s["records"]))
            need([int(r["record"]) for r in recs] == list(range(len(recs))), "record indices")
            need(sum(r["dup_of"] != "" for r in recs) == s["duplicates"], "duplicates")
            tail = [int(r["record"]) for r in recs if r["in_tail"] == "1"]
            need((tail[0] if tail else None) == s["tail_start"], "tail_start")
            need(tail == list(range(tail[0], len(recs))) if tail else True, "tail is a suffix")
            sc = [float(r["score"]) for r in recs if r["score"] != ""]
            if s["score"] is None:
                need(not sc, "scores without a sample score")
            else:
                need(math.isclose(sum(sc) / len(sc), s["score"], rel_tol=1e-12), "score mean")
            for p in pols:
                pr = s["policies"][p]
                if p != "off":
                    col = "cut_" + p.replace(":", "_").replace(".", "_")
                    kept = sum(r[col] == "0" for r in recs)
                    need(kept == pr["records"], "%s kept %d != %d" % (p, kept, pr["records"]))
                if p == "off" and "counts" in pr:
                    for t, c in pr["counts"].items():
                        col = "match_" + t.replace(".", "")
                        need(sum(r[col] == "tp" for r in recs) == c["tp"], "tp@" + t)
                        need(sum(r[col] == "fp" for r in recs) == c["fp"], "fp@" + t)
    if by_line:
        print("records of samples the report does not list:", sorted(by_line)[:3])
        sys.exit(1)
    print("ok %d samples, %d records" % (n_samples, len(rows)))


main()
