#!/bin/sh
# tests/fresh/run.sh — proves the README's quick start on a bare Debian 12.
#
#   sudo sh tests/fresh/run.sh        (or: make fresh-check)
#
# Builds a minimal Debian 12 root (debootstrap --variant=minbase bookworm) in
# a temporary folder from the Debian mirror this machine's apt uses, copies a
# clean clone of this repository's HEAD into it, installs only git and make,
# then, with no LANG/LC_* in the environment and nothing on stdin:
#   1. as a normal user: `make demo` must stop at once, printing the exact
#      `sudo apt-get update && sudo apt-get install -y ...` line;
#   2. as root: `make demo`, `make test`, then `CI=true bash .ci/run`.
# Prints each step's wall time and the tests' closing lines; exits non-zero
# when any step fails.  Everything it mounted is unmounted and the folder is
# removed on every path (trap); the logs stay in $FRESH_LOGS.
#
# Needs root (debootstrap, chroot, mounts) and the mirror: minutes, not part
# of .ci/run.  Set FRESH_KEEP=1 to keep the root for a look afterwards.
set -u
SUITE=bookworm
[ "$(id -u)" -eq 0 ] || { echo "fresh: run as root (debootstrap, chroot and mounts need it)" >&2; exit 2; }
REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/tailscope-fresh.XXXXXX") || exit 2
CH="$WORK/root"
FRESH_LOGS=${FRESH_LOGS:-$(mktemp -d /tmp/tailscope-fresh-logs.XXXXXX)}
mkdir -p "$FRESH_LOGS"
failed=0
summary=""

say() { printf 'fresh: %s\n' "$*"; }
note() { summary="$summary$*
"; say "$*"; }

mounted_under() { grep -q " $1[/ ]" /proc/mounts 2>/dev/null; }

cleanup() {
	rc=$?
	# processes still running inside the root (a tmux server, a stuck test)
	for p in /proc/[0-9]*; do
		r=$(readlink "$p/root" 2>/dev/null) || continue
		case "$r" in "$CH" | "$CH"/*) kill -9 "${p#/proc/}" 2>/dev/null ;; esac
	done
	for m in dev proc sys; do
		mountpoint -q "$CH/$m" 2>/dev/null && umount -R -l "$CH/$m" 2>/dev/null
	done
	if mounted_under "$CH"; then
		say "mounts are still active under $CH: left in place, not removed"
	elif [ "${FRESH_KEEP:-0}" = 1 ]; then
		say "kept $WORK (FRESH_KEEP=1)"
	else
		rm -rf --one-file-system "$WORK"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The mirror this machine's apt uses: deb822 sources first, then sources.list.
mirror() {
	m=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' |
		grep -v security | head -n 1)
	[ -n "$m" ] || m=$(grep -hE '^deb +(\[[^]]*\] +)?https?://' /etc/apt/sources.list 2>/dev/null |
		grep -v security | sed -E 's/^deb +(\[[^]]*\] +)?//' | awk '{print $1}' | head -n 1)
	echo "${m:-http://deb.debian.org/debian}"
}

# step NAME CMD...: runs CMD, logs to $FRESH_LOGS/NAME.log, records the time
step() {
	name=$1
	shift
	t0=$(date +%s)
	"$@" >"$FRESH_LOGS/$name.log" 2>&1
	st=$?
	secs=$(($(date +%s) - t0))
	if [ $st -eq 0 ]; then
		note "$name: ok in $((secs / 60))m$((secs % 60))s"
	else
		note "$name: FAILED (exit $st) after $((secs / 60))m$((secs % 60))s — log: $FRESH_LOGS/$name.log"
		tail -n 25 "$FRESH_LOGS/$name.log" | sed 's/^/    /'
		failed=1
	fi
	return $st
}

# in_root [--user U] CMD: a login-free, locale-free environment in the root,
# stdin from /dev/null (as CI has it)
in_root() {
	spec=""
	home=/root
	if [ "$1" = --user ]; then
		spec="--userspec=$2:$2"
		home=/home/$2
		shift 2
	fi
	chroot $spec "$CH" /usr/bin/env -i HOME="$home" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		TERM=dumb /bin/sh -c "$1" </dev/null
}

MIRROR=$(mirror)
say "root $CH, mirror $MIRROR, logs $FRESH_LOGS"

if ! command -v debootstrap >/dev/null 2>&1; then
	step host-debootstrap sh -c 'DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap' || exit 1
fi
step debootstrap debootstrap --variant=minbase "$SUITE" "$CH" "$MIRROR" || exit 1

# the machine's apt sources and fetch settings (a snapshot mirror needs its
# Check-Valid-Until), DNS; then the mounts a test run needs (ptys for tmux)
if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
	rm -f "$CH/etc/apt/sources.list"
	cp /etc/apt/sources.list.d/*.sources "$CH/etc/apt/sources.list.d/"
fi
for f in /etc/apt/apt.conf.d/*; do
	grep -q 'Acquire::' "$f" 2>/dev/null && cp "$f" "$CH/etc/apt/apt.conf.d/"
done
cp /etc/resolv.conf "$CH/etc/resolv.conf"
mount -t proc proc "$CH/proc" && mount --rbind /dev "$CH/dev" && mount --make-rslave "$CH/dev" &&
	mount -t sysfs sysfs "$CH/sys" || { say "mounts failed"; exit 1; }

git clone -q --no-hardlinks "$REPO" "$CH/root/tailscope" || { say "clone failed"; exit 1; }
say "clean clone of $(git -C "$REPO" rev-parse --short HEAD) ($(git -C "$REPO" log -1 --format=%s | cut -c1-60))"

step install-git-make in_root 'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq &&
	apt-get install -y -qq --no-install-recommends git make ca-certificates' || exit 1

# 1. a normal user: the exact apt-get line, then a clean stop
in_root 'useradd -m tsuser' >/dev/null 2>&1
git clone -q --no-hardlinks "$REPO" "$CH/home/tsuser/tailscope" && in_root 'chown -R tsuser:tsuser /home/tsuser/tailscope'
in_root --user tsuser 'cd ~/tailscope && make demo' >"$FRESH_LOGS/user-demo.log" 2>&1
st=$?
if [ $st -ne 0 ] && grep -qE '^run:  sudo apt-get update && sudo apt-get install -y( [a-z0-9.+-]+)+$' "$FRESH_LOGS/user-demo.log" &&
	! grep -qE '^(cc|gcc) |error:' "$FRESH_LOGS/user-demo.log" && [ ! -e "$CH/home/tsuser/tailscope/build/tailscope" ]; then
	note "non-root make demo: stops (exit $st) with: $(grep '^run:' "$FRESH_LOGS/user-demo.log")"
else
	note "non-root make demo: FAILED (exit $st, expected the apt-get line and no build) — log: $FRESH_LOGS/user-demo.log"
	sed 's/^/    /' "$FRESH_LOGS/user-demo.log" | tail -n 15
	failed=1
fi

# 2. root: the README's two commands, then CI's entry point
step make-demo in_root 'cd /root/tailscope && make demo'
step make-test in_root 'cd /root/tailscope && make test'
step ci-run in_root 'cd /root/tailscope && CI=true bash .ci/run'

echo
echo "fresh: closing test lines"
for f in make-test ci-run; do
	[ -f "$FRESH_LOGS/$f.log" ] || continue
	grep -E '^(tests|asan-tests?|fuzz[a-z-]*|valgrind)[: ].*|^[a-z-]*:? *[0-9]+ passed, [0-9]+ failed' "$FRESH_LOGS/$f.log" |
		sed "s/^/  $f: /"
done
echo
printf '%s' "$summary"
if [ $failed -ne 0 ]; then
	echo "fresh: FAILED"
	exit 1
fi
echo "fresh: all steps passed on a bare Debian 12 ($SUITE, minbase)"
