#!/usr/bin/env python3
"""make_fixture.py OUT — the capture tests' inputs, deterministic:

  OUT/images/{a,b,c,d,e}.png   small solid PNGs (distinct bytes)
  OUT/gt.json                  COCO instances for them
  OUT/recording.jsonl          one recorded chat.completion per image, the
                               shape vLLM / SGLang / llama.cpp server return
                               with "logprobs": true, "top_logprobs": 3
                               (choices[0].logprobs.content[] of token,
                               logprob, bytes, top_logprobs), plus
                               "image_id" and "file_name"
  OUT/full/                    a run directory over the recording as is

a: a repeated tail until the token limit (finish_reason "length"), b: a
clean closed list with a label whose "é" is split over two tokens (each
token's text is U+FFFD, its "bytes" the truth), c: an exact duplicate in the
middle of a list that closes, d: an empty list, e: a clean list (used for
fault injection).
"""
import json
import os
import re
import struct
import sys
import zlib


def png(w, h, rgb):
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


TOK = re.compile(r"\d|[A-Za-z_]+|\s+|[^\w\s]{1,3}|\w", re.UNICODE)


def rec(b, label):
    return '{"bbox_2d": [%d, %d, %d, %d], "label": "%s"}' % (b[0], b[1], b[2], b[3], label)


def tokens_of(text):
    """text -> list of token byte strings; "é" split into its two bytes."""
    out = []
    for m in TOK.finditer(text):
        t = m.group(0)
        if "é" in t:
            pre, post = t.split("é", 1)
            if pre:
                out.append(pre.encode())
            out += [b"\xc3", b"\xa9"]
            if post:
                out.append(post.encode())
        else:
            out.append(t.encode())
    return out


def item(b, k):
    tok = b.decode("utf-8", "replace")
    lp = round(-0.002 - 0.013 * (k % 7), 4)
    alts = [{"token": tok, "logprob": lp, "bytes": list(b)},
            {"token": "]", "logprob": round(lp - 3.5, 4), "bytes": [93]},
            {"token": " ", "logprob": round(lp - 6.25, 4), "bytes": [32]}]
    return {"token": tok, "logprob": lp, "bytes": list(b), "top_logprobs": alts}


def completion(image_id, name, text, finish, max_tok=None):
    toks = tokens_of(text)
    if max_tok is not None:
        toks = toks[:max_tok]
    items = [item(b, k) for k, b in enumerate(toks)]
    content = b"".join(toks).decode("utf-8", "replace")
    return {"image_id": image_id, "file_name": name, "id": "chatcmpl-rec-%d" % image_id,
            "object": "chat.completion", "created": 1700000000, "model": "qwen3-vl-test",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "logprobs": {"content": items}, "finish_reason": finish}],
            "usage": {"prompt_tokens": 800, "completion_tokens": len(items),
                      "total_tokens": 800 + len(items)}}


def main(out):
    os.makedirs(os.path.join(out, "images"), exist_ok=True)
    os.makedirs(os.path.join(out, "full"), exist_ok=True)
    W, H = 200, 100
    names = ["a.png", "b.png", "c.png", "d.png", "e.png"]
    for i, n in enumerate(names):
        with open(os.path.join(out, "images", n), "wb") as f:
            f.write(png(20 + i, 10 + i, (40 * i, 100, 200 - 30 * i)))
    r1 = rec([100, 200, 300, 400], "insulator")
    r2 = rec([500, 100, 700, 300], "damper")
    r3 = rec([50, 600, 150, 900], "insulator")
    r4 = rec([800, 800, 900, 950], "pole")
    rb = rec([120, 220, 320, 420], "isolateur trempé")
    fence = lambda body: "```json\n[\n  " + ",\n  ".join(body) + "\n]\n```"
    tail = fence([r1, r2, r3] + [r3] * 6)
    comps = [
        completion(1, "a.png", tail, "length", max_tok=len(tokens_of(fence([r1, r2, r3] + [r3] * 4))) + 7),
        completion(2, "b.png", fence([r1, rb]), "stop"),
        completion(3, "c.png", fence([r1, r2, r1, r4]), "stop"),
        completion(4, "d.png", "```json\n[]\n```", "stop"),
        completion(5, "e.png", fence([r2, r4]), "stop"),
    ]
    with open(os.path.join(out, "recording.jsonl"), "w") as f:
        for c in comps:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    cats = [{"id": 1, "name": "insulator"}, {"id": 2, "name": "damper"}, {"id": 3, "name": "pole"}]
    anns = []
    for i in range(5):
        for j, (x, y, w, h, c) in enumerate([(20, 20, 40, 20, 1), (100, 10, 40, 20, 2),
                                              (10, 60, 20, 30, 1), (160, 80, 20, 15, 3)]):
            anns.append({"id": i * 10 + j + 1, "image_id": i + 1, "category_id": c,
                         "bbox": [x, y, w, h], "area": w * h, "iscrowd": 0})
    gt = {"images": [{"id": i + 1, "file_name": n, "width": W, "height": H}
                     for i, n in enumerate(names)],
          "annotations": anns, "categories": cats}
    with open(os.path.join(out, "gt.json"), "w") as f:
        json.dump(gt, f)
    with open(os.path.join(out, "full", "run.json"), "w") as f:
        json.dump({"name": "full", "coords": "qwen3", "gt": "../gt.json", "images": "../images",
                   "traces": "../recording.jsonl"}, f)


if __name__ == "__main__":
    main(sys.argv[1])
