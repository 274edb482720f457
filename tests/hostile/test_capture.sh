#!/bin/sh
# issue 19 items 1, 4, 5, 6 against hostile servers on loopback
# (tests/hostile/slow_server.py; port chosen by the kernel, stopped at exit):
#   1  a server that drips (an SSE comment, a byte, a 503 body) every 0.5 s
#      cannot hold a request: --min-rate (default 32 B/s over 10 s) and
#      --deadline end it, with a message, in bounded time and memory
#   4  --resume never writes through a symlink (to gt.json, dangling) or a
#      hard link, nor outside the run directory; run.json is replaced, not
#      followed
#   5  a ground-truth file_name "../outside_private.png" is never read or sent
#   6  credentials in --server (userinfo, api_key/token query keys) are in no
#      message and not in run.json
. "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	notok "python3 is needed for the loopback server (make test installs it)"
	exit 1
fi
S="$ROOT/sample_runs"
mkdir -p "$T/one" "$T/data"
cp "$S/scenes/images/insp_001.png" "$T/one/"
cp "$S/scenes/gt.json" "$T/data/gt.json"
cap() { # cap NAME SECS ARGS... : capture of $T/one with the prompt "hi"
	name=$1
	secs=$2
	shift 2
	bounded "$secs" "$name" "$BIN" capture --images "$T/one" --prompt hi --progress plain "$@"
}
limits() { # limits DESC SECS : wall time and peak memory of the last run
	check "$1: within $2 s (took $WALL s)" within "$2"
	check "$1: peak memory under $MEM_KB KB ($PEAK_KB KB)" mem_under "$MEM_KB"
}

# ---- item 1: slow drips ----
bounded 10 help "$BIN" capture --help
check "capture --help names --deadline with its default" grep -q -- '--deadline S.*' "$T/help.out"
check "capture --help names --min-rate with its default" \
	sh -c "grep -A1 -- '--min-rate B' '$T/help.out' | grep -q 'default 32'"
grep -q 'default 900' "$T/help.out"
check "capture --help gives --deadline's default (900)" [ $? -eq 0 ]

start_server drip-sse
check "drip-sse server is listening" [ -n "$PORT" ]
cap sse 60 --server "http://127.0.0.1:$PORT" -o "$T/c_sse" --retries 0
check "drip ':\\n' every 0.5 s, defaults: exit 2 (rc $RC)" [ "$RC" -eq 2 ]
check "drip ':\\n': the message says too slow, under --min-rate 32" \
	err_has sse "too slow after 0 steps: .* bytes in 10 s, under --min-rate 32 bytes/s"
limits "drip ':\\n' (default --min-rate, 10 s window)" 25

start_server drip-byte
cap byte 60 --server "http://127.0.0.1:$PORT" -o "$T/c_byte" --retries 0 --min-rate 0 --deadline 3
check "drip one byte every 0.5 s, --min-rate 0 --deadline 3: exit 2 (rc $RC)" [ "$RC" -eq 2 ]
check "drip one byte: the message names --deadline" err_has byte "over --deadline after 0 steps: 3 s in all"
limits "drip one byte (--deadline 3)" 10

start_server drip-503
cap e503 60 --server "http://127.0.0.1:$PORT" -o "$T/c_503" --retries 1 --backoff 0.1 --deadline 2
check "a 503 body dripped, --deadline 2 --retries 1: exit 2 (rc $RC)" [ "$RC" -eq 2 ]
check "503 drip: both attempts end at the deadline" \
	sh -c "[ \$(grep -c 'over --deadline' '$T/e503.err') -eq 2 ]"
limits "503 drip (2 attempts of 2 s)" 12

# ---- item 4: --resume and links ----
start_server refuse
RP=$PORT
printf 'victim\n' >"$T/victim.txt"
cp "$T/data/gt.json" "$T/victim.json"
vsum=$(sums "$T/victim.txt" "$T/victim.json")
mkdir -p "$T/r_link"
ln -s ../victim.json "$T/r_link/traces.jsonl"
cap link 30 --server "http://127.0.0.1:$RP" -o "$T/r_link" --resume --retries 0
check "--resume with traces.jsonl -> ../victim.json: exit 2 (rc $RC)" [ "$RC" -eq 2 ]
check "the symlink is refused, named" err_has link "r_link/traces.jsonl is a symbolic link: refused"
mkdir -p "$T/r_dangle"
ln -s ../created-outside.jsonl "$T/r_dangle/traces.jsonl"
cap dangle 30 --server "http://127.0.0.1:$RP" -o "$T/r_dangle" --retries 0
check "a dangling traces.jsonl symlink: exit 2, refused (rc $RC)" \
	sh -c "[ $RC -eq 2 ] && grep -q 'is a symbolic link: refused' '$T/dangle.err'"
check "no file was created outside the run directory" [ ! -e "$T/created-outside.jsonl" ]
mkdir -p "$T/r_hard"
ln "$T/victim.txt" "$T/r_hard/traces.jsonl"
cap hard 30 --server "http://127.0.0.1:$RP" -o "$T/r_hard" --resume --retries 0
check "--resume with traces.jsonl hard-linked to another file: exit 2, refused (rc $RC)" \
	sh -c "[ $RC -eq 2 ] && grep -q 'hard links: refused' '$T/hard.err'"
mkdir -p "$T/r_gt"
ln -s ../victim.txt "$T/r_gt/run.json"
cap rjson 30 --server "http://127.0.0.1:$RP" -o "$T/r_gt" --retries 0
check "run.json a symlink: capture runs (rc $RC) and replaces the link with a file" \
	sh -c "[ -f '$T/r_gt/run.json' ] && [ ! -L '$T/r_gt/run.json' ] && grep -q '\"traces\"' '$T/r_gt/run.json'"
check "the victims are byte for byte the same" [ "$(sums "$T/victim.txt" "$T/victim.json")" = "$vsum" ]
check "no temporary file left in a run directory" \
	[ -z "$(find "$T/r_gt" "$T/r_link" "$T/r_hard" -name '*.tmp*')" ]
# the same file as an input: --gt is the run's traces.jsonl
mkdir -p "$T/r_in"
ln "$T/data/gt.json" "$T/r_in/traces.jsonl" 2>/dev/null || cp "$T/data/gt.json" "$T/r_in/traces.jsonl"
cap samein 30 --server "http://127.0.0.1:$RP" --gt "$T/data/gt.json" -o "$T/r_in" --resume --retries 0
check "--resume where traces.jsonl is --gt itself: exit 2, refused (rc $RC)" \
	sh -c "[ $RC -eq 2 ] && grep -q 'same file as the input\|hard links' '$T/samein.err'"

# ---- item 5: images only from inside --images ----
mkdir -p "$T/c5/images"
cp "$S/scenes/images/insp_002.png" "$T/c5/outside_private.png"
cp "$S/scenes/images/insp_001.png" "$T/c5/images/"
python3 - "$T/c5" <<'PY'
import json, sys
d = sys.argv[1]
json.dump({"images": [{"id": 1, "file_name": "../outside_private.png", "width": 640, "height": 480},
                      {"id": 2, "file_name": "insp_001.png", "width": 800, "height": 600}],
           "annotations": [], "categories": [{"id": 1, "name": "x"}]}, open(d + "/gt.json", "w"))
PY
secret=$(sha256sum "$T/c5/outside_private.png" | cut -d' ' -f1)
inside=$(sha256sum "$T/c5/images/insp_001.png" | cut -d' ' -f1)
: >"$T/refuse.log"
bounded 30 c5 "$BIN" capture --server "http://127.0.0.1:$RP" --images "$T/c5/images" \
	--gt "$T/c5/gt.json" --prompt hi -o "$T/c5/run" --retries 0
check "gt file_name ../outside_private.png: capture ends (rc $RC)" [ "$RC" -eq 2 ]
check "the image is looked up inside --images only (images/outside_private.png), named" \
	err_has c5 "c5/images/outside_private.png: cannot open"
check "the file outside --images was never sent" sh -c "! grep -q '$secret' '$T/refuse.log'"
check "the image inside --images was sent (the check above means something)" \
	grep -q "$inside" "$T/refuse.log"

# ---- item 6: credentials ----
: >"$T/refuse.log"
cap cred 30 --server "http://alice:PASSW0RD-19@127.0.0.1:$RP/?api_key=SECRET-A&page=2&access_token=SECRET-B" \
	-o "$T/c6" --retries 0
check "capture with credentials in --server ran (rc $RC)" [ "$RC" -eq 2 ]
check "the server got them (the request used the URL as given)" \
	sh -c "grep -q 'SECRET-A' '$T/refuse.log' && grep -q 'Basic ' '$T/refuse.log'"
check "run.json holds no password, api_key or token" \
	sh -c "! grep -q 'PASSW0RD-19\|SECRET-A\|SECRET-B\|alice' '$T/c6/run.json'"
check "run.json's server is the redacted URL" \
	grep -q "\"server\": \"http://REDACTED@127.0.0.1:$RP/v1/chat/completions?api_key=REDACTED&page=2&access_token=REDACTED\"" "$T/c6/run.json"
check "no message holds them" sh -c "! grep -q 'PASSW0RD-19\|SECRET-A\|SECRET-B' '$T/cred.err'"
check "no file in the run directory holds them" sh -c "! grep -rq 'PASSW0RD-19\|SECRET-A\|SECRET-B' '$T/c6'"
bounded 10 badurl "$BIN" capture --server "ftp://alice:PASSW0RD-19@h/?token=SECRET-A" --images "$T/one" \
	--prompt hi -o "$T/c6b"
check "a refused --server URL is quoted redacted (rc $RC)" \
	sh -c "[ $RC -eq 2 ] && grep -q 'ftp://REDACTED@h/?token=REDACTED' '$T/badurl.err' && ! grep -q 'PASSW0RD' '$T/badurl.err'"
finish
