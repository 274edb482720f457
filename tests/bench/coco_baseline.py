#!/usr/bin/env python3
"""coco_baseline — `tailscope report` against pycocotools' COCOeval, whole
process each, on the same detections (issue 21: matching >= 40x faster than
COCOeval with identical TP/FP/FN).

Writes a COCO set of --images images x --per-image annotations (16-point
polygons as real instances files have, 2% crowd), and --dets detections per
image (jittered copies of the boxes, some relabelled, some repeated, some
random) twice: as a tailscope run (native `text` lines, xyxy pixels) and as
a COCO results file whose scores all tie.  COCOeval ranks by score with a
stable mergesort, per image and then over the images in id order; the
native text lines carry no logprobs, so tailscope's AP ranks the same ties
the same way (image id, then output order), and both match each image in
output order.  Then times, interleaved, `tailscope report --json RUN` (as a
user runs it: --jobs defaults to the online CPUs) and with --jobs 1 (one
thread), and a python process that runs COCO(gt), loadRes,
COCOeval(iouThrs=[0.3, 0.5]).evaluate() and accumulate() (one thread), and
compares TP/FP/FN per threshold (COCOeval's from its evalImgs: area 'all',
maxDet 100; dtIgnore/gtIgnore left out, as crowd-absorbed detections and
crowd boxes are in tailscope) and AP at IoU 0.5.

pycocotools is not a Debian 12 package: this runs where `import pycocotools`
works (PYTHONPATH), else says so and exits 0.  Prints a ROW line for the
table of tests/bench/run.sh.

usage: coco_baseline.py --bin BUILD/tailscope --dir DIR [--images N]
                        [--per-image N] [--dets N] [--rounds N]
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time

CATS = ["insulator", "damper", "spacer", "pole", "bird nest"]
W, H = 640, 480

EVAL = r"""
import json, sys
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval
import numpy as np
import contextlib, io
with contextlib.redirect_stdout(io.StringIO()):
    g = COCO(sys.argv[1])
    d = g.loadRes(sys.argv[2])
    e = COCOeval(g, d, "bbox")
    e.params.iouThrs = np.array([0.3, 0.5])
    e.evaluate()
    e.accumulate()
tp = [0, 0]; fp = [0, 0]; fn = [0, 0]
for ev in e.evalImgs:
    if ev is None or ev["aRng"] != [0, 1e10] or ev["maxDet"] != 100:
        continue
    gi = np.asarray(ev["gtIgnore"], dtype=bool)
    for t in range(2):
        m = ev["dtMatches"][t] > 0
        ig = ev["dtIgnore"][t].astype(bool)
        k = int((m & ~ig).sum())
        tp[t] += k
        fp[t] += int((~m & ~ig).sum())
        fn[t] += int((~gi).sum()) - k
pr = e.eval["precision"][1, :, :, 0, 2]  # IoU 0.5, every recall and category, area all, maxDet 100
print(json.dumps({"tp": tp, "fp": fp, "fn": fn, "ap50": float(np.mean(pr[pr > -1]))}))
"""


def clamp(v, lo, hi):
    return max(lo, min(hi, v))


def generate(d, images, per_image, dets, seed=7):
    rnd = random.Random(seed)
    os.makedirs(d, exist_ok=True)
    gims, anns, lines, res = [], [], [], []
    aid = 1
    for i in range(1, images + 1):
        fname = "img_%06d.jpg" % i
        gims.append({"id": i, "file_name": fname, "width": W, "height": H})
        boxes = []
        for _ in range(per_image):
            w, h = rnd.randint(8, 200), rnd.randint(8, 160)
            x, y = rnd.randint(0, W - w), rnd.randint(0, H - h)
            c = rnd.randrange(len(CATS))
            poly = []
            for k in range(16):  # an octagon-ish outline inside the box
                px = x + w * (0.5 + 0.5 * [1, 0.7, 0, -0.7, -1, -0.7, 0, 0.7][k % 8])
                py = y + h * (0.5 + 0.5 * [0, 0.7, 1, 0.7, 0, -0.7, -1, -0.7][k % 8])
                poly += [round(px, 2), round(py, 2)]
            crowd = 1 if rnd.random() < 0.02 else 0
            anns.append({"id": aid, "image_id": i, "category_id": c + 1, "bbox": [x, y, w, h],
                         "area": w * h, "iscrowd": crowd, "segmentation": [poly]})
            aid += 1
            boxes.append((x, y, w, h, c))
        recs = []
        for k in range(dets):
            r = rnd.random()
            if r < 0.75:  # a jittered copy of a box
                x, y, w, h, c = boxes[rnd.randrange(len(boxes))]
                j = lambda s: rnd.randint(-max(1, s // 4), max(1, s // 4))
                x1 = clamp(x + j(w), 0, W - 2)
                y1 = clamp(y + j(h), 0, H - 2)
                x2 = clamp(x + w + j(w), x1 + 1, W)
                y2 = clamp(y + h + j(h), y1 + 1, H)
                if rnd.random() < 0.1:
                    c = rnd.randrange(len(CATS))
            elif r < 0.85 and recs:  # a repeat of an earlier record
                recs.append(recs[rnd.randrange(len(recs))])
                continue
            else:  # a box at random
                w, h = rnd.randint(8, 200), rnd.randint(8, 160)
                x1, y1 = rnd.randint(0, W - w), rnd.randint(0, H - h)
                x2, y2, c = x1 + w, y1 + h, rnd.randrange(len(CATS))
            recs.append((x1, y1, x2, y2, c))
        text = json.dumps([{"bbox_2d": [a, b, cc, dd], "label": CATS[e]} for a, b, cc, dd, e in recs])
        lines.append(json.dumps({"image_id": i, "file_name": fname, "finish_reason": "stop", "text": text}))
        for k, (a, b, cc, dd, e) in enumerate(recs):
            res.append({"image_id": i, "category_id": e + 1, "bbox": [a, b, cc - a, dd - b],
                        "score": 1.0})
    gt = {"images": gims, "annotations": anns,
          "categories": [{"id": k + 1, "name": n} for k, n in enumerate(CATS)]}
    with open(os.path.join(d, "gt.json"), "w") as f:
        json.dump(gt, f)
    with open(os.path.join(d, "traces.jsonl"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(d, "results.json"), "w") as f:
        json.dump(res, f)
    with open(os.path.join(d, "run.json"), "w") as f:
        json.dump({"name": "coco-baseline", "coords": "xyxy", "gt": "gt.json",
                   "traces": "traces.jsonl"}, f)
    open(os.path.join(d, ".complete"), "w").close()


def timed(cmd):
    t = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    return time.perf_counter() - t, p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--images", type=int, default=5000)
    ap.add_argument("--per-image", type=int, default=15)
    ap.add_argument("--dets", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    try:
        import pycocotools.cocoeval  # noqa: F401  (numpy, matplotlib too)
    except ImportError as e:
        print("coco_baseline: pycocotools not importable (%s; pip install pycocotools, or PYTHONPATH): skipped" % e)
        return 0
    d = os.path.join(a.dir, "coco-%dx%dx%d" % (a.images, a.per_image, a.dets))
    if not os.path.exists(os.path.join(d, ".complete")):
        generate(d, a.images, a.per_image, a.dets)
    ts_cmd = [a.bin, "report", "--json", d]
    t1_cmd = [a.bin, "report", "--json", "--jobs", "1", d]
    py_cmd = [sys.executable, "-c", EVAL, os.path.join(d, "gt.json"), os.path.join(d, "results.json")]
    ts_t, t1_t, py_t = [], [], []
    ts_out = t1_out = py_out = None
    for _ in range(a.rounds):
        t, ts_out = timed(ts_cmd)
        ts_t.append(t)
        t, t1_out = timed(t1_cmd)
        t1_t.append(t)
        t, py_out = timed(py_cmd)
        py_t.append(t)
    if ts_out.returncode != 0 or t1_out.returncode != 0 or py_out.returncode != 0:
        print("coco_baseline: a run failed:", ts_out.stderr.decode()[-300:], py_out.stderr.decode()[-300:])
        return 1
    if ts_out.stdout != t1_out.stdout:
        print("coco_baseline: report --json differs between --jobs 1 and the default")
        return 1
    f1 = json.loads(ts_out.stdout)["runs"][0]["off"]["f1"]
    ours = {k: [f1["0.3"][k], f1["0.5"][k]] for k in ("tp", "fp", "fn")}
    theirs = json.loads(py_out.stdout)
    ap_ours, ap_theirs = json.loads(ts_out.stdout)["runs"][0]["off"]["ap"]["ap"], theirs.pop("ap50")
    n_dets = a.images * a.dets
    print("matching, %d images / %d GT / %d detections, IoU 0.3 and 0.5, whole process, %d rounds (medians)"
          % (a.images, a.images * a.per_image, n_dets, a.rounds))
    ts_m, t1_m, py_m = statistics.median(ts_t), statistics.median(t1_t), statistics.median(py_t)
    print("  tailscope report --json (%d CPUs)   %.3f s" % (os.cpu_count() or 1, ts_m))
    print("  tailscope report --json --jobs 1   %.3f s" % t1_m)
    print("  pycocotools COCOeval               %.3f s   (%.1fx tailscope, %.1fx its one thread)"
          % (py_m, py_m / ts_m, py_m / t1_m))
    print("  TP/FP/FN @0.3, @0.5: tailscope %s, COCOeval %s: %s" % (
        ours, theirs, "identical" if ours == theirs else "DIFFERENT"))
    ap_same = abs(ap_ours - ap_theirs) <= 1e-12
    print("  AP@0.5: tailscope %.15f, COCOeval %.15f: %s" % (
        ap_ours, ap_theirs, "identical (|diff| <= 1e-12)" if ap_same else "DIFFERENT"))
    print("ROW|match whole process vs COCOeval, s|%.3f|COCOeval %.3f|%.3f|<= 0.025 (40x)" % (ts_m, py_m, ts_m / py_m))
    print("ROW|  the same on one thread (--jobs 1), s|%.3f|COCOeval %.3f|%.3f|-" % (t1_m, py_m, t1_m / py_m))
    return 0 if ours == theirs and ap_same else 1


if __name__ == "__main__":
    sys.exit(main())
