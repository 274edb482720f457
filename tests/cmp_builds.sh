#!/bin/sh
# tests/cmp_builds.sh — byte-compare two builds of tailscope on the same
# inputs: a refactor's evidence that nothing a user sees changed.
#
# usage: sh tests/cmp_builds.sh [BASE_REV]   (default: where HEAD left main)
#   BASE_SRC=dir   a tree of BASE_REV already built (make all) instead of
#                  building one in a temporary directory
#   CMP_ONLY="plot png"  only these (default: report png plot formats render)
#   CMP_JPEGS="a.jpg b.jpg"  extra JPEG files: each one, and cut/bit-flipped
#                  copies of it, is loaded by cmp_render -l (the JPEG checker)
#                  and the first 60 drawn by 'png --image' 
#
# For every run in sample_runs/ and tests/data/ (directories with a
# traces.jsonl, and loose trace files): report (text, --json, --csv,
# --per-sample, --per-record --csv/--json), png of samples 1..3 (plain and
# --caption; and 2 to 6 runs on one image), every plot kind as text (colour on and off) and PNG, formats.
# And tests/cmp_render.c, linked against each build's render library, on the
# scene images and the JPEGs (cell frames with labels, pixel encodings).
# Stdout, stderr, exit status and the written files must all be the same.
# Prints "compared N files, M differ" and exits 1 when any differ.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
rev=${1:-$(git -C "$top" merge-base main HEAD)}
work=$(mktemp -d /tmp/cmp_builds.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM

libs="build/tailscope build/libtsrender.a build/libtsanalysis.a"
if [ -z "${BASE_SRC:-}" ]; then
	BASE_SRC=$work/src
	mkdir "$BASE_SRC"
	(cd "$top" && git archive "$rev") | tar -x -C "$BASE_SRC" || exit 2
	nice make -C "$BASE_SRC" -j2 $libs >/dev/null 2>&1 || { echo "base build failed"; exit 2; }
fi
nice make -C "$top" -j2 $libs >/dev/null 2>&1 || { echo "build failed"; exit 2; }
# copies: a rebuild while this runs must not change either side
cp "$BASE_SRC/build/tailscope" "$work/tailscope.base" && cp "$top/build/tailscope" "$work/tailscope.new" || exit 2
BASE_BIN=$work/tailscope.base
NEW_BIN=$work/tailscope.new
cflags="-std=c11 -D_DEFAULT_SOURCE -O2 -I$top/analysis -I$top/render $(pkg-config --cflags chafa glib-2.0)"
ldlibs="$(pkg-config --libs chafa glib-2.0 zlib libzstd libcjson) -lm"
for side in base new; do
	tree=$BASE_SRC; [ $side = new ] && tree=$top
	cc $cflags "$top/tests/cmp_render.c" "$tree/build/libtsrender.a" "$tree/build/libtsanalysis.a" \
		$ldlibs -o "$work/cmp_render.$side" || { echo "cmp_render build failed"; exit 2; }
done

runs=""
for d in "$top"/sample_runs/*/ "$top"/tests/data/*/*/ "$top"/tests/data/*/; do
	[ -f "$d/traces.jsonl" ] && runs="$runs ${d%/}"
done
files=$(find "$top/tests/data" -type f \( -name '*.jsonl' -o -name '*.sse' -o -name '*.gz' -o -name '*.zst' \) | sort)

# the JPEG inputs: each given file, cut at 39 lengths and with single bytes
# changed at 300 places (deterministic); png draws the first 60 of them
jpegs=""
if [ -n "${CMP_JPEGS:-}" ]; then
	mkdir "$work/jpg"
	python3 - "$work/jpg" $CMP_JPEGS <<'EOF'
import sys, os
out = sys.argv[1]
for k, path in enumerate(sys.argv[2:]):
    b = open(path, 'rb').read()
    open(os.path.join(out, f'{k}_whole.jpg'), 'wb').write(b)
    for i in range(1, 40):
        open(os.path.join(out, f'{k}_cut{i}.jpg'), 'wb').write(b[: len(b) * i // 40])
    for i in range(300):
        pos = (i * 7919) % len(b)
        m = bytearray(b); m[pos] ^= 0x5A if i % 2 else 0xFF
        open(os.path.join(out, f'{k}_flip{i}.jpg'), 'wb').write(bytes(m))
EOF
	jpegs=$(ls "$work"/jpg/*.jpg)
	png_jpegs=$(ls "$work"/jpg/*.jpg | head -n 60)
fi

n=0
images=$(ls "$top"/sample_runs/scenes/images/*.png)
# render: the library-level digest (not a tailscope command)
render() {
	case " ${CMP_ONLY:-render} " in *" render "*) ;; *) return ;; esac
	n=$((n + 1))
	echo "cmp_render" >"$work/cmd.$n"
	for side in base new; do
		mkdir -p "$work/$side/$n"
		"$work/cmp_render.$side" $images >"$work/$side/$n/stdout" 2>&1
		[ -z "$jpegs" ] || "$work/cmp_render.$side" -l $jpegs >"$work/$side/$n/jpegs" 2>&1
	done
}
render
# one: run the same arguments under both binaries, each in its own directory
# (so an -o name is the same relative path in messages)
one() {
	case " ${CMP_ONLY:-report png plot formats render} " in *" $1 "*) ;; *) return ;; esac
	n=$((n + 1))
	echo "$*" >"$work/cmd.$n"
	for side in base new; do
		bin=$BASE_BIN; [ $side = new ] && bin=$NEW_BIN
		dir=$work/$side/$n; mkdir -p "$dir"
		(cd "$dir" && COLUMNS=100 LC_ALL=C.UTF-8 "$bin" "$@" >stdout 2>stderr; echo $? >status)
	done
}

kinds="maxrepeat interference saved pr tradeoff reliability"
for r in $runs; do
	one report --jobs 2 "$r"
	one report --jobs 2 --json "$r"
	one report --jobs 2 --csv "$r"
	one report --jobs 2 --per-sample "$r"
	one report --jobs 2 --per-record --csv "$r"
	one report --jobs 2 --per-record --json "$r"
	one report --jobs 2 --policy 'off,repeat_stop,budget:12,near_dup:0.9,dedup,ladder,close_prob:0.1..0.9/0.2' --score min "$r"
	one formats "$r"
	for s in 1 2 3; do
		one png "$r" --sample $s -o out.png
		one png "$r" --sample $s --caption -o out.png
	done
	for k in $kinds; do
		one plot $k --color never --width 100 "$r"
		one plot $k --color always --width 72 --height 12 "$r"
		one plot $k --size 640x400 "$r" -o out.png
	done
done
one report --jobs 1 $runs
one report --jobs 1 --json $runs
for k in $kinds; do
	one plot $k --jobs 1 --color never --width 120 $runs
	one plot $k --jobs 1 $runs -o out.png
done
# several runs on one image (the runs legend): 2 to 6 of the sample runs
set -- $(ls -d "$top"/sample_runs/lora-* "$top"/sample_runs/base)
for k in 2 3 4 5 6; do
	sel=$(echo "$@" | tr ' ' '\n' | head -n $k | tr '\n' ' ')
	for s in 1 4 11; do
		one png $sel --sample $s -o out.png
	done
done
for f in $files; do
	one report --jobs 1 "$f"
	one report --jobs 1 --json --per-record "$f"
	one formats "$f"
done
for j in ${png_jpegs:-}; do
	one png "$top/sample_runs/lora-qv-r4" --sample 1 --image "$j" -o out.png
done

total=0 bad=0
for side_dir in "$work"/base/*; do
	i=${side_dir##*/}
	for f in "$side_dir"/*; do
		b=${f##*/}
		total=$((total + 1))
		if ! cmp -s "$f" "$work/new/$i/$b"; then
			bad=$((bad + 1))
			echo "DIFF: $b of: $(cat "$work/cmd.$i")"
		fi
	done
	[ $(ls "$side_dir" | wc -l) = $(ls "$work/new/$i" | wc -l) ] || { bad=$((bad + 1)); echo "DIFF: case $i file list"; }
done
echo "cmp_builds: $n commands, compared $total files, $bad differ"
[ $bad = 0 ]
