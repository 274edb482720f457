/* term.c — terminal set-up and restore on every path (see term.h). */
#include "tcurses.h"
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <ncursesw/term.h> /* terminfo (tui/term.h shadows <term.h>) */
#include <unistd.h>

#include "sanitize.h"
#include "term.h"

volatile sig_atomic_t term_signal;

#if defined(__SANITIZE_ADDRESS__)
/* Sanitizer builds: a report ends the process without a signal; restore
 * the terminal and show the report (it went to the captured stderr). */
void __sanitizer_set_death_callback(void (*callback)(void));
#define HAVE_SANITIZER_DEATH_CALLBACK 1
#endif

static SCREEN *scr;
static int active;
static int on_tty;           /* term_start (the terminal), not term_start_file */
static int use_colors;
static int saved_stderr = -1;
static FILE *captured;
static struct termios saved_tio;
static int have_tio;
static char reset_seq[256];
static size_t reset_len;
static int atexit_done;

static void on_quit_signal(int sig)
{
	term_signal = sig;
}

/* Async-signal-safe: put the tty back, then replay what was captured from
 * stderr (a sanitizer report, a library's last words) with control bytes
 * other than newline shown as '?'. */
static void drop_capture_name(void);

static void crash_restore(void)
{
	if (!active)
		return;
	active = 0;
	if (have_tio)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	if (reset_len) {
		ssize_t w = write(STDOUT_FILENO, reset_seq, reset_len);
		(void)w;
	}
	if (saved_stderr < 0)
		return;
	int cap = captured ? fileno(captured) : -1;
	dup2(saved_stderr, STDERR_FILENO);
	if (cap < 0 || lseek(cap, 0, SEEK_SET) != 0)
		return;
	char buf[512];
	ssize_t n;
	while ((n = read(cap, buf, sizeof buf)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)buf[i];
			if ((c < 0x20 && c != '\n') || c == 0x7f)
				buf[i] = '?';
		}
		ssize_t w = write(STDERR_FILENO, buf, (size_t)n);
		(void)w;
	}
	drop_capture_name();
}

static void on_crash(int sig)
{
	crash_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}



static void add_cap(const char *cap)
{
	if (!cap || cap == (char *)-1)
		return;
	size_t n = strlen(cap);
	if (reset_len + n >= sizeof reset_seq)
		return;
	memcpy(reset_seq + reset_len, cap, n);
	reset_len += n;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_quit_signal; /* no SA_RESTART: getch returns early */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
}

static void at_exit(void)
{
	term_stop();
}

#ifdef HAVE_SANITIZER_DEATH_CALLBACK
/* Sanitizer builds: UBSan reports and exits without running any callback,
 * so the capture is a named file in $TMPDIR that every normal exit path
 * removes; after such a hard exit it is left behind with the report. */
static char cap_name[512];
static FILE *open_capture(void)
{
	const char *dir = getenv("TMPDIR");
	snprintf(cap_name, sizeof cap_name, "%s/tailscope-stderr-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(cap_name);
	if (fd < 0) {
		cap_name[0] = 0;
		return tmpfile();
	}
	return fdopen(fd, "w+");
}
static void drop_capture_name(void)
{
	if (cap_name[0])
		unlink(cap_name);
	cap_name[0] = 0;
}
#else
static FILE *open_capture(void)
{
	return tmpfile();
}
static void drop_capture_name(void)
{
}
#endif

static void capture_stderr(void)
{
	fflush(stderr);
	captured = open_capture();
	if (!captured)
		return;
	saved_stderr = dup(STDERR_FILENO);
	if (saved_stderr < 0 || dup2(fileno(captured), STDERR_FILENO) < 0) {
		if (saved_stderr >= 0)
			close(saved_stderr);
		saved_stderr = -1;
		fclose(captured);
		captured = NULL;
	}
}

static void release_stderr(void)
{
	if (saved_stderr < 0)
		return;
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	saved_stderr = -1;
	if (!captured)
		return;
	/* what libraries wrote meanwhile, made harmless */
	rewind(captured);
	char line[1024], clean[2048];
	int n_lines = 0;
	while (fgets(line, sizeof line, captured) && n_lines < 200) {
		size_t n = strcspn(line, "\n");
		sanitize(line, n, clean, sizeof clean, 0);
		fprintf(stderr, "%s\n", clean);
		n_lines++;
	}
	fclose(captured);
	captured = NULL;
	drop_capture_name();
}

static char type_used[64];
static char color_why[320];

/* Opens the terminfo entry `name` without a screen: the colours it
 * declares, whether it says direct colour (ncurses' RGB extension, or
 * tmux's Tc, which ncurses itself does not act on); -1 when unknown. */
static long probe_colors(const char *name, int *rgb)
{
	int e = 0;
	TERMINAL *saved = cur_term;
	*rgb = 0;
	if (setupterm(name, STDOUT_FILENO, &e) != OK)
		return (set_curterm(saved), -1);
	long n = tigetnum("colors");
	int f1 = tigetflag("RGB"), n1 = tigetnum("RGB"), f2 = tigetflag("Tc");
	*rgb = f1 > 0 || n1 > 0 || f2 > 0;
	TERMINAL *mine = cur_term;
	set_curterm(saved);
	del_curterm(mine);
	return n;
}

/* The terminal description to use.  A terminal that advertises 24-bit
 * colour (COLORTERM=truecolor or 24bit, or an RGB/Tc flag in its
 * terminfo) while its terminfo entry declares a palette (xterm-256color:
 * colors#256, no RGB) gets the entry's direct-colour sibling when one is
 * installed (xterm-256color -> xterm-direct, tmux-256color -> tmux-direct):
 * ncurses 6 only emits RGB colours through an entry with the RGB
 * capability, where colour numbers are 0xRRGGBB (COLORS = 2^24).  NULL:
 * TERM as it is.  Why is written to color_why. */
static const char *choose_type(const char *t)
{
	const char *ct = getenv("COLORTERM"), *nc = getenv("NO_COLOR");
	int rgb = 0;
	color_why[0] = 0;
	if (nc && *nc)
		return NULL;
	long n = probe_colors(t, &rgb);
	int says = ct && (!strcmp(ct, "truecolor") || !strcmp(ct, "24bit"));
	if (n >= (1L << 24) || (!says && !rgb))
		return NULL;
	char base[48], cand[64];
	snprintf(base, sizeof base, "%s", t);
	char *dash = strstr(base, "-256color");
	if (!dash)
		dash = strstr(base, "-truecolor");
	if (!dash)
		dash = strstr(base, "-88color");
	if (dash)
		*dash = 0;
	if (strlen(base) + 8 > sizeof cand || strchr(base, '/'))
		return NULL;
	snprintf(cand, sizeof cand, "%s-direct", base);
	int r2;
	char tn[64];
	sanitize_cstr(t, tn, sizeof tn, 40);
	if (probe_colors(cand, &r2) >= (1L << 24)) {
		snprintf(type_used, sizeof type_used, "%s", cand);
		snprintf(color_why, sizeof color_why, "truecolour: %s says so, terminfo %s used for %s",
		         says ? "COLORTERM" : "terminfo RGB/Tc", cand, tn);
		return type_used;
	}
	snprintf(color_why, sizeof color_why,
	         "%s advertises truecolour but terminfo %s has %ld colours and no %s: nearest of %ld",
	         says ? "COLORTERM" : "terminfo", tn, n, cand, n);
	return NULL;
}

static void screen_setup(void);

const char *term_color_note(void)
{
	return color_why;
}

int term_start(char *err, size_t errsz)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errsz, "the interactive view needs a terminal (try 'tailscope report')");
		return -1;
	}
	const char *t = getenv("TERM");
	if (!t || !*t) {
		snprintf(err, errsz, "TERM is not set");
		return -1;
	}
	if (tcgetattr(STDIN_FILENO, &saved_tio) == 0)
		have_tio = 1;
	const char *type = choose_type(t);
	scr = newterm(type, stdout, stdin);
	if (!scr && type)
		scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		char tn[64];
		snprintf(err, errsz, "cannot use terminal type '%s'", sanitize_cstr(t, tn, sizeof tn, 40));
		return -1;
	}
	set_term(scr);
	active = 1;
	on_tty = 1;
	if (!atexit_done) {
		atexit(at_exit);
		atexit_done = 1;
	}
	/* reset string for crash signals: leave alternate screen, show cursor,
	 * plain attributes, keypad off, mouse off */
	reset_len = 0;
	add_cap(tigetstr("sgr0"));
	add_cap(tigetstr("cnorm"));
	add_cap(tigetstr("rmkx"));
	add_cap("\033[?1000l\033[?1002l\033[?1006l");
	add_cap(tigetstr("rmcup"));
	install_signals();
	screen_setup();
	capture_stderr();
#ifdef HAVE_SANITIZER_DEATH_CALLBACK
	__sanitizer_set_death_callback(crash_restore);
#endif
	return 0;
}

/* The screen's modes, keys, mouse and colours: the same for a real terminal
 * (term_start) and a headless one (term_start_file). */
static void screen_setup(void)
{
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	/* Home/End as tmux, screen, rxvt and the VT220 family send them, whatever
	 * TERM says (a TERM=xterm-256color inside tmux is common) */
	static const struct { const char *seq; int key; } extra[] = {
		{"\033[1~", KEY_HOME}, {"\033[4~", KEY_END}, {"\033[7~", KEY_HOME},
		{"\033[8~", KEY_END},  {"\033[H", KEY_HOME},  {"\033[F", KEY_END},
		{"\033OH", KEY_HOME},  {"\033OF", KEY_END},
	};
	for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
		if (key_defined(extra[i].seq) <= 0)
			define_key(extra[i].seq, extra[i].key);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	const char *nc = getenv("NO_COLOR");
	use_colors = has_colors() && !(nc && *nc);
	if (use_colors) {
		start_color();
		use_default_colors();
		if (COLORS < 8)
			use_colors = 0;
	}
}

int term_start_file(const char *type, FILE *out, FILE *in)
{
	scr = newterm(type, out, in);
	if (!scr)
		return -1;
	set_term(scr);
	active = 1;
	on_tty = 0;
	screen_setup();
	return 0;
}

void term_stop(void)
{
	if (active) {
		active = 0;
		curs_set(1);
		endwin();
		if (scr) {
			delscreen(scr);
			scr = NULL;
		}
		fflush(stdout);
	}
	release_stderr();
}

int term_active(void)
{
	return active;
}

int term_on_tty(void)
{
	return active && on_tty;
}

int term_colors(void)
{
	return use_colors;
}
