/* pixel.c — full-screen pixel view (see pixel.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "tcurses.h"
#include "pixel.h"
#include "render.h"
#include "sanitize.h"
#include "term.h"

static int detected = -1; /* -1 unknown, else 0/1 */
static int det_proto;
static char det_why[160];

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int env_is(const char *name, const char *val)
{
	const char *v = getenv(name);
	return v && !strcmp(v, val);
}

/* Primary device attributes: ESC [ ? a ; b ; ... c — sixel is attribute 4. */
static int da1_has_sixel(void)
{
	static const char q[] = "\033[c";
	char resp[128];
	size_t n = 0;
	int started = 0;

	if (write(STDOUT_FILENO, q, sizeof q - 1) != (ssize_t)(sizeof q - 1))
		return 0;
	double until = now_ms() + 400;
	keypad(stdscr, FALSE); /* raw bytes, no key matching */
	timeout(20);
	while (now_ms() < until && n + 1 < sizeof resp) {
		int ch = getch();
		if (ch == ERR)
			continue;
		if (!started) {
			if (ch != 27)
				continue; /* a key typed meanwhile: dropped */
			started = 1;
		}
		resp[n++] = (char)ch;
		if (ch == 'c' && n > 2)
			break;
	}
	keypad(stdscr, TRUE);
	resp[n] = 0;
	if (n < 4 || resp[1] != '[' || resp[2] != '?')
		return 0;
	/* parameters between "?" and "c" */
	for (char *p = resp + 3; *p && *p != 'c';) {
		long v = strtol(p, &p, 10);
		if (v == 4)
			return 1;
		if (*p == ';')
			p++;
		else
			break;
	}
	return 0;
}

int pixel_detect(int *proto, char *why, size_t whysz)
{
	if (detected < 0) {
		const char *force = getenv("TAILSCOPE_PIXELS");
		detected = 0;
		snprintf(det_why, sizeof det_why,
		         "no sixel, kitty or iTerm2 graphics detected (TAILSCOPE_PIXELS=sixel|kitty|iterm2 forces one)");
		if (force && *force) {
			if (!strcmp(force, "sixel"))
				det_proto = RENDER_PIXELS_SIXEL, detected = 1;
			else if (!strcmp(force, "kitty"))
				det_proto = RENDER_PIXELS_KITTY, detected = 1;
			else if (!strcmp(force, "iterm2"))
				det_proto = RENDER_PIXELS_ITERM2, detected = 1;
			else
				snprintf(det_why, sizeof det_why, "disabled by TAILSCOPE_PIXELS");
		} else if (getenv("KITTY_WINDOW_ID") || env_is("TERM", "xterm-kitty")) {
			det_proto = RENDER_PIXELS_KITTY, detected = 1;
		} else if (env_is("TERM_PROGRAM", "iTerm.app") || env_is("TERM_PROGRAM", "WezTerm")) {
			det_proto = RENDER_PIXELS_ITERM2, detected = 1;
		} else if (da1_has_sixel()) {
			det_proto = RENDER_PIXELS_SIXEL, detected = 1;
		}
	}
	if (detected)
		*proto = det_proto;
	else
		snprintf(why, whysz, "%s", det_why);
	return detected;
}

static void write_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* One key in raw mode (the tty is in the shell's mode after endwin). */
static void wait_key(void)
{
	struct termios old, raw;
	int have = tcgetattr(STDIN_FILENO, &old) == 0;
	if (have) {
		raw = old;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	for (;;) {
		struct pollfd pf = {STDIN_FILENO, POLLIN, 0};
		int r = poll(&pf, 1, 250);
		if (term_signal)
			break;
		if (r > 0) {
			char buf[64];
			ssize_t n = read(STDIN_FILENO, buf, sizeof buf); /* a whole key sequence */
			(void)n;
			break;
		}
		if (r < 0 && errno != EINTR)
			break;
	}
	if (have)
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
}

unsigned pixel_view(ui *u)
{
	int proto;
	char why[200];
	int blank;
	const render_image *img = ui_image_source(u, &blank);

	if (!img) {
		ui_note(u, "pixel view: no image to show");
		return UI_RD_STATUS;
	}
	if (!pixel_detect(&proto, why, sizeof why)) {
		ui_note(u, "pixel view: not supported by this terminal: %s", why);
		return UI_RD_STATUS;
	}
	struct winsize ws;
	int cols = COLS, rows = LINES - 1, cw = 10, ch = 20;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col && ws.ws_row && ws.ws_xpixel &&
	    ws.ws_ypixel) {
		cw = ws.ws_xpixel / ws.ws_col;
		ch = ws.ws_ypixel / ws.ws_row;
		if (cw < 1)
			cw = 1;
		if (ch < 1)
			ch = 1;
	}
	/* no bigger than the image itself (small images: 640 px on the long
	 * side), so a 16x32-pixel-cell terminal does not get a 2000-pixel-wide
	 * upscale of a thumbnail */
	double tw = img->w, th = img->h, lng = img->w > img->h ? img->w : img->h;
	if (lng > 0 && lng < 640) {
		tw = tw * 640 / lng;
		th = th * 640 / lng;
	}
	int need_c = (int)(tw / cw) + 1, need_r = (int)(th / ch) + 1;
	if (need_c < cols)
		cols = need_c;
	if (need_r < rows)
		rows = need_r;
	const render_box *boxes;
	size_t nb = ui_boxes(u, &boxes);
	char *seq = NULL;
	size_t len = 0;
	ts_error e;
	if (render_pixels_encode(img, boxes, nb, (render_pixel_proto)proto, cols, rows, cw, ch, &seq,
	                         &len, NULL, NULL, &e) != TS_OK) {
		ui_note(u, "pixel view: %s", e.msg);
		return UI_RD_STATUS;
	}
	char caption[400];
	session_view *v = &u->s->view;
	snprintf(caption, sizeof caption, "\r\n tailscope pixel view: image %s, step %ld, %zu boxes%s; press a key",
	         v->image_id, v->rp.cursor + 1, nb, blank ? " (no image file: blank canvas)" : "");
	def_prog_mode();
	endwin();
	write_all("\033[H\033[2J", 7);
	write_all(seq, len);
	write_all(caption, strlen(caption)); /* image_id is already sanitized */
	free(seq);
	wait_key();
	write_all("\033[H\033[2J", 7);
	reset_prog_mode();
	clearok(curscr, TRUE); /* the pixels are not tracked by curses: repaint all */
	return UI_RD_ALL;
}

/* ---- images over curses cells (see pixel.h) ---- */

#define CELLS_MAX 64

static struct {
	pixel_cell_img v[CELLS_MAX]; /* on screen (seq not kept); one protocol */
	size_t n;
} placed;

/* The images on screen are sixel/iTerm2 (no id): only a repaint removes them. */
static int placed_need_repaint(void)
{
	return placed.n && !placed.v[0].id;
}

int pixel_cells_proto(int *proto, char *why, size_t whysz)
{
	const char *force = getenv("TAILSCOPE_PIXELS"), *nc = getenv("NO_COLOR");
	if (nc && *nc) {
		snprintf(why, whysz, "NO_COLOR is set");
		return 0;
	}
	if (!isatty(STDOUT_FILENO) || !term_on_tty()) {
		snprintf(why, whysz, "the output is no terminal");
		return 0;
	}
	if (getenv("TMUX") && !(force && *force)) {
		snprintf(why, whysz, "inside tmux (TAILSCOPE_PIXELS=sixel|kitty|iterm2 forces one)");
		return 0;
	}
	return pixel_detect(proto, why, whysz);
}

void pixel_cells_size(int *cell_w, int *cell_h)
{
	struct winsize ws;
	*cell_w = 10;
	*cell_h = 20;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col && ws.ws_row &&
	    ws.ws_xpixel >= ws.ws_col && ws.ws_ypixel >= ws.ws_row) {
		*cell_w = ws.ws_xpixel / ws.ws_col;
		*cell_h = ws.ws_ypixel / ws.ws_row;
	}
}

/* The terminal is no longer the size curses draws for (a resize under way). */
static int size_changed(void)
{
	struct winsize ws;
	return ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col && ws.ws_row &&
	       (ws.ws_col != COLS || ws.ws_row != LINES);
}

static int same_set(const pixel_cell_img *v, size_t n)
{
	if (n != placed.n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (v[i].y != placed.v[i].y || v[i].x != placed.v[i].x || v[i].key != placed.v[i].key ||
		    v[i].id != placed.v[i].id)
			return 0;
	return 1;
}

/* Kitty: deletes the images on screen; others: clearok (repainted by the
 * next doupdate).  Forgets them. */
static void cells_remove(void)
{
	if (placed_need_repaint())
		clearok(curscr, TRUE);
	for (size_t i = 0; i < placed.n; i++)
		if (placed.v[i].id) {
			char d[64];
			write_all(d, render_pixels_kitty_delete(placed.v[i].id, d, sizeof d));
		}
	placed.n = 0;
}

size_t pixel_cells_show(const pixel_cell_img *v, size_t n)
{
	if (n > CELLS_MAX)
		n = CELLS_MAX;
	if (same_set(v, n) || size_changed())
		return 0;
	int repaint = placed_need_repaint();
	cells_remove();
	if (repaint)
		doupdate(); /* the repaint (clearok) before the new images */
	size_t wrote = 0;
	for (size_t i = 0; i < n; i++) {
		if (size_changed() || term_signal)
			break; /* the redraw after the resize writes them */
		char cup[32];
		int k = snprintf(cup, sizeof cup, "\0337\033[%d;%dH", v[i].y + 1, v[i].x + 1);
		write_all(cup, (size_t)k);
		write_all(v[i].seq, v[i].len);
		write_all("\0338", 2);
		placed.v[placed.n] = v[i];
		placed.v[placed.n++].seq = NULL;
		wrote++;
	}
	return wrote;
}

void pixel_cells_clear(void)
{
	if (placed.n)
		cells_remove();
}
