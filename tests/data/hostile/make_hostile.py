#!/usr/bin/env python3
"""Writes the crafted hostile fixtures in this directory (run once; outputs
are committed).  Every payload is something a terminal would act on if it
were written raw; tests/cli/test_hostile_report.sh and
tests/tui/test_hostile_tui.sh search everything tailscope writes for them.

Payloads (the needles the tests search for are marked >>):
  OSC 52 clipboard write  ESC ]52;c;SE9TVElMRTUy BEL        >> ESC ]52;
  OSC 8 hyperlink         ESC ]8;;https://evil.example/ ESC \\ >> ESC ]8;
  CSI cursor moves        ESC [4242;4242H  ESC [4242A        >> ESC [4242
  title set               ESC ]0;pwned BEL                   >> ESC ]0;pwned, pwned BEL
  CR overwrite            \\rEVILCR                          >> CR EVILCR
  bidi override           U+202E (E2 80 AE)                  >> E2 80 AE
  8-bit C1 CSI            U+009B as UTF-8 (C2 9B) 4242B      >> C2 9B
  raw 0x9B byte           9B 4243A (only via "bytes")        >> 9B 34 32 34 33
  zero width              U+200B, U+200D, U+FEFF             >> E2 80 8B, E2 80 8D, EF BB BF
  invalid UTF-8           FF FE, overlong C0 AF              >> FF, C0 AF
  iTerm2 file write       ESC ]1337;File=                    >> ESC ]1337;
  DCS                     ESC P+q544e BEL                    >> ESC P+q
"""
import json
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

ESC = "\x1b"
OSC52 = ESC + "]52;c;SE9TVElMRTUy\x07"
OSC8 = ESC + "]8;;https://evil.example/" + ESC + "\\click" + ESC + "]8;;" + ESC + "\\"
CSI = ESC + "[4242;4242H" + ESC + "[4242A"
TITLE = ESC + "]0;pwned\x07"
CR = "cat\rEVILCR"
RLO = "gpj\u202eexe"
C1 = "\u009b4242B"
ZW = "a\u200bb\u200dc\ufeffd"
ITERM = ESC + "]1337;File=name=cHduZWQ=:SE9TVElMRQ==\x07"
DCS = ESC + "P+q544e\x07"
ALL = OSC52 + OSC8 + CSI + TITLE + CR + RLO + C1 + ZW + ITERM + DCS


def jline(obj):
    return json.dumps(obj, ensure_ascii=True, separators=(",", ":"))


def tok(text, lp=-0.1, alts=None):
    t = {"token": text, "logprob": lp}
    if alts is not None:
        t["top_logprobs"] = alts
    return t


def rec_tokens(x1, y1, x2, y2, label_json):
    """Tokens of one record; label_json is the label as the model writes it
    inside a JSON string (escapes such as \\u001b are text here)."""
    return [tok('{"bbox_2d": ['), tok(str(x1)), tok(", "), tok(str(y1)), tok(", "),
            tok(str(x2)), tok(", "), tok(str(y2)), tok('], "label": "'),
            tok(label_json), tok('"}')]


def json_escape_inner(s):
    return json.dumps(s, ensure_ascii=True)[1:-1]


def png(w, h, rgb):
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))
    def chunk(t, d):
        c = struct.pack(">I", len(d)) + t + d
        return c + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def main():
    run = os.path.join(HERE, "run")
    os.makedirs(os.path.join(run, "images"), exist_ok=True)
    with open(os.path.join(run, "images", "img1.png"), "wb") as f:
        f.write(png(64, 48, (40, 60, 90)))
    with open(os.path.join(run, "run.json"), "w") as f:
        f.write(jline({"name": "hostile" + TITLE + RLO + OSC52, "model": "m" + OSC8,
                       "checkpoint": "c" + CSI, "coords": "qwen3", "max_new_tokens": 256,
                       "prompt": "Find things." + ALL}) + "\n")
    gt = {
        "images": [
            {"id": 1, "file_name": "img1.png", "width": 64, "height": 48},
            {"id": 2, "file_name": "e" + OSC8 + ".png", "width": 64, "height": 48},
            {"id": 3, "file_name": "t" + TITLE + C1 + ".png", "width": 64, "height": 48},
        ],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [6, 5, 20, 15]},
            {"id": 2, "image_id": 1, "category_id": 2, "bbox": [30, 20, 20, 20]},
            {"id": 3, "image_id": 2, "category_id": 3, "bbox": [1, 1, 10, 10]},
        ],
        "categories": [
            {"id": 1, "name": "cat"},
            {"id": 2, "name": "dog" + OSC52},
            {"id": 3, "name": "n" + TITLE + RLO + ZW},
        ],
    }
    with open(os.path.join(run, "gt.json"), "w") as f:
        f.write(json.dumps(gt, ensure_ascii=True) + "\n")

    lines = []
    # 1: image 1.  Prose with raw payloads before the list (token text holds
    # real ESC bytes), labels with payloads as JSON escapes (the record parser
    # unescapes them into the label), a repeated tail, truncated.
    toks = [tok("Sure" + OSC52 + TITLE, -0.2, [tok(OSC8, -1.5), tok(CSI, -2.0), tok(C1 + RLO, -3.0)]),
            tok(CR + ZW, -0.3), tok("```json\n[")]
    toks += rec_tokens(100, 100, 400, 400, "cat")
    toks += [tok(", ")]
    toks += rec_tokens(480, 420, 800, 830, json_escape_inner("dog" + OSC52))
    for _ in range(4):
        toks += [tok(", ")]
        toks += rec_tokens(500, 500, 900, 900, json_escape_inner(TITLE + CR + RLO + C1 + ZW + OSC8 + CSI + ITERM + DCS))
    lines.append(jline({"image_id": 1, "finish_reason": "length", "prompt": "p" + ALL, "tokens": toks}))
    # 2: image 2 (hostile file name in gt), raw bytes incl. a lone 0x9B and 0xFF
    raw = (b'[{"bbox_2d": [10, 10, 200, 200], "label": "ok"}] ' + b"\x9b4243A" + b"\xff\xfe"
           + b"\xc0\xaf" + ESC.encode() + b"]52;c;SE9TVElMRTUy\x07")
    btoks = [{"bytes": list(raw[i:i + 7]), "logprob": -0.5} for i in range(0, len(raw), 7)]
    lines.append(jline({"image_id": 2, "finish_reason": "stop", "tokens": btoks}))
    # 3: file_name reference to image 3 (hostile name); text-only body
    lines.append(jline({"file_name": "t" + TITLE + C1 + ".png", "finish_reason": "stop",
                        "text": "```json\n[{\"bbox_2d\": [1, 2, 300, 400], \"label\": \"" +
                        json_escape_inner("x" + OSC8 + RLO) + "\"}]\n```" + ALL}))
    # 4: file_name not in the ground truth: the warning quotes it
    lines.append(jline({"file_name": "missing" + CSI + OSC52 + ".png", "finish_reason": "stop",
                        "text": "[]"}))
    # 5: custom_id not in the ground truth
    lines.append(jline({"custom_id": "req" + TITLE + ITERM, "finish_reason": "stop", "text": "[]"}))
    # 6: failed batch request: the error message is quoted in the warning
    lines.append(jline({"custom_id": "req-6", "response": None,
                        "error": {"message": "boom" + OSC52 + TITLE + CR + RLO + C1 + DCS}}))
    # 7: token that is not valid UTF-8 without "bytes" (JSON text holds raw FF)
    lines.append('{"image_id":1,"finish_reason":"stop","tokens":[{"token":"\xff\xfe' + "\\u001b]0;pwned\\u0007" + '"}]}')
    with open(os.path.join(run, "traces.jsonl"), "wb") as f:
        for ln in lines:
            f.write(ln.encode("latin-1") if isinstance(ln, str) and "\xff" in ln else ln.encode())
            f.write(b"\n")

    # traces without ground truth: every reference gets a --per-sample row
    # (the report cuts the image column: the long name checks the cut keeps
    # UTF-8 whole)
    nogt = [
        jline({"file_name": "\u00e9" + "\u7edd" * 30 + ".png", "finish_reason": "stop", "text": "[]"}),
        jline({"file_name": OSC52 + TITLE + CR + RLO + ".png", "finish_reason": "stop", "text": "[]"}),
        jline({"file_name": C1 + ZW + OSC8 + CSI + ITERM + DCS, "finish_reason": "stop", "text": "[]"}),
        jline({"custom_id": TITLE + OSC52, "finish_reason": "length", "text": "[]" + ALL}),
    ]
    with open(os.path.join(HERE, "nogt.jsonl"), "w") as f:
        f.write("\n".join(nogt) + "\n")

    # a run whose run.json names an unknown coords convention (quoted in the error)
    bad = os.path.join(HERE, "badcoords")
    os.makedirs(bad, exist_ok=True)
    with open(os.path.join(bad, "run.json"), "w") as f:
        f.write(jline({"name": "bad", "coords": "q" + OSC52 + TITLE + RLO}) + "\n")
    with open(os.path.join(bad, "traces.jsonl"), "w") as f:
        f.write(jline({"image_id": 1, "finish_reason": "stop", "text": "[]"}) + "\n")


if __name__ == "__main__":
    main()
