#!/bin/sh
# `tailscope png --caption`: the caption and the legend strip under the
# image (render_caption_add).  On lora-qv-r64 image 11 (1280x960): scale
# 1280/480 = 2, line 18, pad 4; the caption "lora-qv-r64  sample 11  step
# 1211/1211  policy off" (50 characters) fits one line of (1280-8)/12 = 106;
# legend items 240, 228, 120, 120, 216, 240 fit 1164 of 1280, "cut by
# policy" (252) starts row 2: strip = 18 + 2 * 22 + 8 = 70 -> 1280x1030.
. "$(dirname "$0")/lib.sh"
# dims FILE: "WxH" from the PNG's IHDR (bytes 16-23, big-endian)
dims() { od -An -tu1 -j16 -N8 "$1" | awk '{printf "%dx%d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}'; }

"$BIN" png sample_runs/lora-qv-r64 --sample 11 -o "$tmp/plain.png" >"$tmp/out" 2>&1; rc=$?
check "png without --caption: exit 0" [ "$rc" -eq 0 ]
check "png without --caption: the image's own size" [ "$(dims "$tmp/plain.png")" = 1280x960 ]
"$BIN" png sample_runs/lora-qv-r64 --sample 11 --caption -o "$tmp/cap.png" >"$tmp/out" 2>&1; rc=$?
check "png --caption: exit 0" [ "$rc" -eq 0 ]
check "png --caption: the strip below (1280x1030)" [ "$(dims "$tmp/cap.png")" = 1280x1030 ]
check "png --caption: says the size" grep -q "^$tmp/cap.png: 1280x1030 from" "$tmp/out"
check "png --help lists --caption" sh -c "'$BIN' png --help | grep -q -- '--caption'"
[ "$fails" -eq 0 ]
