# lib.sh — sourced by tests/cli/test_*.sh (not a test itself):
#   . "$(dirname "$0")/lib.sh"
# Sets BIN (the binary under test: $BIN, else $BUILD/tailscope, else
# build/tailscope), the TAP counters n and fails, tmp (a scratch directory,
# removed on exit after every PID listed in $pids is killed), and
#   check "description" command...
# which runs the command and prints "ok N - description" or "not ok N -
# description", counting the failures.  A script ends with
#   [ "$fails" -eq 0 ]        (its exit status).
BIN=${BIN:-${BUILD:-build}/tailscope}
n=0
fails=0
pids=""
check() {
	n=$((n + 1))
	desc=$1
	shift
	if "$@"; then echo "ok $n - $desc"; else echo "not ok $n - $desc"; fails=$((fails + 1)); fi
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tailscope-cli.XXXXXX")
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
