# hops.py — reads gdb backtraces (hops.sh) and prints, per breakpoint hit
# during a key, the frames (hops) from loop_key down and the files crossed
# (app.c stands for the loop).
import re, sys
txt = open(sys.argv[1]).read()
for bt in re.split(r'hit Breakpoint \d+, ', txt)[1:]:
    frames = re.findall(r'^#\d+\s+(?:0x\w+ in )?(\w+) \(.*?\)(?: at ([\w/.]+):\d+)?', bt, re.M)
    names = [f[0] for f in frames]
    if 'loop_key' not in names: continue
    k = names.index('loop_key')
    path = list(reversed(frames[:k]))
    files = sorted({f[1].split('/')[-1] for f in path if f[1]} | {'app.c'})
    print(f"{names[0]:20s} hops={len(path):2d} files={len(files)} ({' '.join(files)}): loop -> " + ' -> '.join(n for n, _ in path))
