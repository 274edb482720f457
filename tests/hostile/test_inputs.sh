#!/bin/sh
# issue 19 item 2: FIFOs and devices never hang a command.  Every input --
# traces (a RUN argument, a run's traces.jsonl), ground truth (--gt, a run's
# gt.json, run.json's "gt"), run.json, images (--image, the images folder),
# capture's --prompt-file -- is opened without blocking and refused unless it
# is a regular file, with a message naming it; `--gt /dev/zero` is refused
# before a byte is read (bounded time and memory).  Inputs stay untouched.
. "$(dirname "$0")/lib.sh"

S="$ROOT/sample_runs"
mkdir -p "$T/run" "$T/scenes"
cp -r "$S/scenes/images" "$S/scenes/gt.json" "$T/scenes/"
cp "$S/base/traces.jsonl" "$S/base/run.json" "$T/run/"
mkfifo "$T/fifo"
before=$(sums "$T/run" "$T/scenes")

# refused CMD_NAME WHAT EXPECTED_NAME CMD... : exit 1 or 2 (never 0, never a
# timeout), the message names the file as a FIFO or a device, quickly, small
refused() {
	name=$1
	what=$2
	pat=$3
	shift 3
	bounded 20 "$name" "$@"
	check "$what: exit 1 or 2, not a hang (rc $RC)" [ "$RC" -eq 1 -o "$RC" -eq 2 ]
	check "$what: the message names it ($pat)" err_has "$name" "$pat"
	check "$what: within 10 s (took $WALL s)" within 10
	check "$what: peak memory under $MEM_KB KB ($PEAK_KB KB)" mem_under "$MEM_KB"
}

refused rep_gt "report --gt FIFO" "$T/fifo: a FIFO, not a regular file: refused" \
	"$BIN" report --gt "$T/fifo" "$T/run"
refused png_gt "png --gt FIFO" "$T/fifo: a FIFO" \
	"$BIN" png --gt "$T/fifo" "$T/run" --sample 1 -o "$T/o.png"
refused plot_gt "plot pr --gt FIFO" "$T/fifo: a FIFO" "$BIN" plot pr --gt "$T/fifo" "$T/run"
refused rep_zero "report --gt /dev/zero" "/dev/zero: a character device, not a regular file" \
	"$BIN" report --gt /dev/zero "$T/run"
refused rep_fifo_run "report FIFO (as a traces file)" "$T/fifo: a FIFO" "$BIN" report "$T/fifo"
refused fmt_fifo "formats FIFO" "$T/fifo: a FIFO" "$BIN" formats "$T/fifo"
refused fmt_tty "formats /dev/tty (a terminal is not adopted)" "/dev/tty" "$BIN" formats /dev/tty
refused png_img "png --image FIFO" "$T/fifo: a FIFO" \
	"$BIN" png "$T/run" --sample 1 --image "$T/fifo" -o "$T/o.png"

# run.json from untrusted input pointing at a FIFO
mkdir -p "$T/evil"
cp "$S/base/traces.jsonl" "$T/evil/"
printf '{"name": "evil", "gt": "../fifo", "images": "../fifo"}\n' >"$T/evil/run.json"
refused rj_gt 'run.json {"gt": "../fifo"}: report' "evil/../fifo: a FIFO" "$BIN" report "$T/evil"
refused rj_png 'run.json {"gt": "../fifo"}: png' "evil/../fifo: a FIFO" \
	"$BIN" png "$T/evil" --sample 1 -o "$T/o.png"

# a run directory whose files are FIFOs
mkdir -p "$T/fr"
mkfifo "$T/fr/traces.jsonl"
refused fr_traces "run dir with traces.jsonl a FIFO" "fr/traces.jsonl: a FIFO" "$BIN" report "$T/fr"
mkdir -p "$T/fj"
cp "$S/base/traces.jsonl" "$T/fj/"
mkfifo "$T/fj/run.json"
refused fj_runjson "run dir with run.json a FIFO" "fj/run.json: a FIFO" "$BIN" report "$T/fj"
mkdir -p "$T/fg"
cp "$S/base/traces.jsonl" "$T/fg/"
mkfifo "$T/fg/gt.json"
refused fg_gt "run dir with gt.json a FIFO" "fg/gt.json: a FIFO" "$BIN" report "$T/fg"

# images: a FIFO in the images folder under the sample's name
mkdir -p "$T/fi/images"
cp "$S/base/traces.jsonl" "$T/fi/"
cp "$S/scenes/gt.json" "$T/fi/"
mkfifo "$T/fi/images/insp_001.png"
refused fi_png "png: the sample's image is a FIFO" "fi/images/insp_001.png: a FIFO" \
	"$BIN" png "$T/fi" --sample 1 -o "$T/o.png"

# capture: --prompt-file, --gt and an image that are FIFOs (no server needed:
# each is refused before any request)
refused cap_prompt "capture --prompt-file FIFO" "$T/fifo: a FIFO" \
	"$BIN" capture --server http://127.0.0.1:9 --images "$T/scenes/images" \
	--prompt-file "$T/fifo" -o "$T/cap1"
refused cap_gt "capture --gt FIFO" "$T/fifo: a FIFO" \
	"$BIN" capture --server http://127.0.0.1:9 --images "$T/scenes/images" --gt "$T/fifo" \
	--prompt hi -o "$T/cap2"
mkdir -p "$T/capimg"
mkfifo "$T/capimg/a.png"
refused cap_img "capture: an image that is a FIFO" "capimg/a.png: a FIFO" \
	"$BIN" capture --server http://127.0.0.1:9 --images "$T/capimg" --prompt hi \
	--retries 0 -o "$T/cap3"

check "no input was changed" [ "$(sums "$T/run" "$T/scenes")" = "$before" ]
check "no output file was left (o.png)" [ ! -e "$T/o.png" ]
finish
