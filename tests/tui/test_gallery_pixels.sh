#!/bin/sh
# The gallery's thumbnails in pixel graphics (T with TAILSCOPE_PIXELS=kitty /
# sixel / none, NO_COLOR, inside tmux): the debugger on a pseudo-terminal,
# its bytes checked by tests/tui/gallery_pixels.py (expected cells, counts
# and ids worked out there from the grid geometry and the traces).
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN="$ROOT/${BUILD:-build}/tailscope"
if ! command -v python3 >/dev/null 2>&1; then
	echo "# python3 not installed: gallery pixel tests skipped"
	exit 0
fi
exec python3 "$ROOT/tests/tui/gallery_pixels.py" "$BIN" "$ROOT"
