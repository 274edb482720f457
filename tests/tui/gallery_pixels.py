#!/usr/bin/env python3
"""The gallery (T) in pixel graphics, end to end on a pseudo-terminal.

Driven by tests/tui/test_gallery_pixels.sh: python3 gallery_pixels.py BIN ROOT.
The debugger runs on a pty of 160x40 cells (xterm-256color, not inside
tmux) with TAILSCOPE_PIXELS forcing a protocol; every byte it writes is
kept, cut into one segment per key.  Expected values are worked out here,
not taken from the debugger:

  geometry   (tui/overlay_gallery.c's documented grid) 160 // 30 = 5
             thumbnails a row, (40 - 3) // 11 = 3 rows: 15 a page;
             thumbnail k's image at 0-based row 2 + (k // 5) * 11, column
             1 + (k % 5) * 30, i.e. CUP ESC [ row+1 ; col+1 H.
  count      one graphics sequence per visible thumbnail whose trace line
             parses (json.loads here): a line that does not parse shows its
             reason, no image.
  page down  the selection moves 15 (clamped) and the page scrolls by whole
             rows of 5 until it shows the selection: 24 samples show 5..19.
  order      worst first: per line, the most copies of one record (the
             records matched by a regular expression over the decoded
             tokens), highest first, ties in file order, unparsable lines
             last (the samples list's "max repeat" sort); kitty image ids
             are 0x10000000 + the line's 0-based index.
"""
import json
import os
import pty
import re
import select
import struct
import sys
import time
import fcntl
import termios

BIN, ROOT = sys.argv[1], sys.argv[2]
COLS, ROWS = 160, 40
PER_ROW, PAGE = COLS // 30, COLS // 30 * ((ROWS - 3) // 11)
KITTY_BASE = 0x10000000
n = 0
failed = 0


def check(desc, cond):
    global n, failed
    n += 1
    if cond:
        print("ok %d - %s" % (n, desc))
    else:
        failed += 1
        print("not ok %d - %s" % (n, desc))


def cup(k):
    return b"\x1b7\x1b[%d;%dH" % (2 + (k // PER_ROW) * 11 + 1, 1 + (k % PER_ROW) * 30 + 1)


REC = re.compile(r'\{"bbox_2d": \[([^\]]*)\], "label": "((?:[^"\\]|\\.)*)"\}')


def order(traces):
    """(line index, parses) of the samples, worst first."""
    ready, bad = [], []
    for i, line in enumerate(open(traces, encoding="utf-8")):
        try:
            d = json.loads(line)
        except ValueError:
            bad.append((i, False))
            continue
        text = "".join(t["token"] for t in d["tokens"])
        recs = REC.findall(text)
        most = max([recs.count(r) for r in recs] or [0])
        ready.append((-most, i))
    ready.sort()
    return [(i, True) for _, i in ready] + bad


def drive(env_extra, run, keys):
    """Runs the debugger on run; returns [bytes before the first key,
    bytes after key 1, ...]: each segment read until the output has been
    quiet for 1.2 s (at most 30 s)."""
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "NO_COLOR", "TAILSCOPE_PIXELS",
                                                            "KITTY_WINDOW_ID", "TERM_PROGRAM")}
    env.update({"TERM": "xterm-256color", "LC_ALL": "C.UTF-8", "TAILSCOPE_NOTE_SECONDS": "0",
                "COLUMNS": str(COLS), "LINES": str(ROWS)})
    env.update(env_extra)
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        os.execve(BIN, [BIN, run], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))

    def segment():
        buf, last, start = b"", time.time(), time.time()
        while time.time() - last < 1.2 and time.time() - start < 30:
            r, _, _ = select.select([fd], [], [], 0.1)
            if r:
                try:
                    d = os.read(fd, 65536)
                except OSError:
                    break
                if not d:
                    break
                buf += d
                last = time.time()
        return buf

    segs = [segment()]
    for k in keys:
        if isinstance(k, tuple):  # a resize: the kernel sends SIGWINCH
            fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", k[1], k[0], 0, 0))
        else:
            os.write(fd, k)
        segs.append(segment())
    os.write(fd, b"q")
    segment()
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    os.close(fd)
    return segs


KITTY_T = re.compile(rb"\x1b_G([^;\x1b]*a=T[^;\x1b]*)")
KITTY_D = re.compile(rb"\x1b_Ga=d,d=I,i=(\d+),q=2\x1b\\")
SIXEL = re.compile(rb"\x1bP[0-9;]*q")
ANY = re.compile(rb"\x1b_G|\x1bP[0-9;]*q|\x1b\]1337;File=")


def placed(seg, pat):
    """[(position in seg, the bytes just before it)] of each sequence."""
    return [(m.start(), seg[max(0, m.start() - 16):m.start()], m) for m in pat.finditer(seg)]


def expect_page(name, seg, pat, page, kitty):
    """page: [(line index, parses)] shown, in order; checks count, CUPs, ids."""
    want = [(k, i) for k, (i, ok) in enumerate(page) if ok]
    got = placed(seg, pat)
    check("%s: one graphics sequence per visible thumbnail (%d)" % (name, len(want)),
          len(got) == len(want))
    check("%s: each preceded by the CUP to its cell" % name,
          len(got) == len(want) and all(b.endswith(cup(k)) for (_, b, _), (k, _) in zip(got, want)))
    if kitty:
        ids = [int(re.search(rb"i=(\d+)", m.group(1)).group(1)) for _, _, m in got]
        check("%s: kitty image ids are the samples' (worst first)" % name,
              ids == [KITTY_BASE + i for _, i in want])
    return [KITTY_BASE + i for _, i in want]


def after_page_down(n_samples):
    """The first position shown after one page down from the first: the
    selection moves a page (clamped), the page scrolls by whole rows until
    it shows the selection."""
    sel, top = min(PAGE, n_samples - 1), 0
    while sel >= top + PAGE:
        top += PER_ROW
    return top


RUNA = os.path.join(ROOT, "tests/data/tui/run-a")
LORA = os.path.join(ROOT, "sample_runs/lora-qkvo-r16")
PGDN = b"\x1b[6~"

# kitty, 5 samples (one does not parse): open, move, close
oa = order(os.path.join(RUNA, "traces.jsonl"))
segs = drive({"TAILSCOPE_PIXELS": "kitty"}, RUNA, [b"T", b"l", b"T"])
check("kitty: nothing in pixels before T", not ANY.search(segs[0]))
ids = expect_page("kitty T", segs[1], KITTY_T, oa[:PAGE], True)
check("kitty: the title says pixels (kitty)", b"pixels (kitty)" in segs[1])
check("kitty: moving the selection writes no image", not ANY.search(segs[2]))
dels = sorted(int(x) for x in KITTY_D.findall(segs[3]))
check("kitty: closing deletes each image by its id", dels == sorted(ids) and len(ids) > 0)
check("kitty: closing writes no new image", not KITTY_T.search(segs[3]))

# kitty: narrowed under 120 columns the images go (deleted, none written);
# widened again they come back at the same cells
segs = drive({"TAILSCOPE_PIXELS": "kitty"}, RUNA, [b"T", (100, ROWS), (COLS, ROWS)])
ids = expect_page("kitty before the resize", segs[1], KITTY_T, oa[:PAGE], True)
check("kitty resized to 100 columns: each image deleted, none written",
      sorted(int(x) for x in KITTY_D.findall(segs[2])) == sorted(ids) and not KITTY_T.search(segs[2]))
expect_page("kitty resized back to 160 columns", segs[3], KITTY_T, oa[:PAGE], True)

# kitty, 24 samples: a page down replaces the page's images
ol = order(os.path.join(LORA, "traces.jsonl"))
segs = drive({"TAILSCOPE_PIXELS": "kitty"}, LORA, [b"T", PGDN, b"T"])
first = expect_page("kitty 24 samples", segs[1], KITTY_T, ol[:PAGE], True)
dels = [int(x) for x in KITTY_D.findall(segs[2])]
check("kitty page down: the first page's images deleted", sorted(dels) == sorted(first))
top = after_page_down(len(ol))
sec = expect_page("kitty page down", segs[2], KITTY_T, ol[top:top + PAGE], True)
last_del = max(segs[2].rfind(b"\x1b_Ga=d"), 0)
check("kitty page down: the deletes come before the new images",
      all(p > last_del for p, _, _ in placed(segs[2], KITTY_T)))
check("kitty page down: closing deletes the new page's", sorted(int(x) for x in KITTY_D.findall(segs[3])) == sorted(sec))

# sixel: open, move, page down, close
segs = drive({"TAILSCOPE_PIXELS": "sixel"}, LORA, [b"T", b"l", PGDN, b"T"])
expect_page("sixel T", segs[1], SIXEL, ol[:PAGE], False)
check("sixel: moving the selection writes no image", not ANY.search(segs[2]))
expect_page("sixel page down", segs[3], SIXEL, ol[top:top + PAGE], False)
clr = segs[3].find(b"\x1b[2J")
check("sixel page down: the screen is repainted (clear) before the new images",
      clr >= 0 and all(p > clr for p, _, _ in placed(segs[3], SIXEL)))
check("sixel: closing repaints the screen (clear), no image", b"\x1b[2J" in segs[4] and not ANY.search(segs[4]))

# no protocol: symbols, no graphics sequence at all
for env, name in (({"TAILSCOPE_PIXELS": "none"}, "TAILSCOPE_PIXELS=none"),
                  ({"TAILSCOPE_PIXELS": "kitty", "NO_COLOR": "1"}, "NO_COLOR=1 (kitty forced)"),
                  ({"TAILSCOPE_PIXELS": "kitty", "TMUX": "/tmp/x,1,0", "NO_COLOR": "1"}, "NO_COLOR in tmux")):
    segs = drive(env, RUNA, [b"T", b"T"])
    allb = b"".join(segs)
    check("%s: no graphics sequence" % name, not ANY.search(allb))
    check("%s: the title says symbols" % name, b"symbols" in segs[1])

# tmux without a forced protocol: symbols, and no terminal query
segs = drive({"TMUX": "/tmp/x,1,0"}, RUNA, [b"T", b"T"])
allb = b"".join(segs)
check("inside tmux, nothing forced: no graphics sequence", not ANY.search(allb))
check("inside tmux, nothing forced: symbols", b"symbols" in segs[1])

print("# %d tests, %d failed" % (n, failed))
sys.exit(1 if failed else 0)
