/* test_fsafe.c — the one input opener and the output check (analysis/fsafe.h),
 * on files made here: a FIFO, a directory, /dev/null, a regular file, a
 * symlink and a hard link to it, and an inode number reused after a delete. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsafe.h"

static char dir[] = "/tmp/ts-fsafe.XXXXXX";

static char *at(const char *name)
{
	static char buf[8][256];
	static int k;
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
	return buf[k];
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_refused_kinds(void **st)
{
	(void)st;
	ts_error err;
	assert_int_equal(mkfifo(at("fifo"), 0600), 0);
	time_t t0 = time(NULL);
	assert_int_equal(fsafe_open_input(at("fifo"), NULL, &err), -1); /* no writer: no hang */
	assert_true(time(NULL) - t0 < 3);
	assert_int_equal(err.code, TS_ERR_IO);
	assert_non_null(strstr(err.msg, "fifo: a FIFO, not a regular file: refused"));
	assert_int_equal(fsafe_open_input(dir, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "a directory, not a regular file"));
	assert_int_equal(fsafe_open_input("/dev/null", NULL, &err), -1);
	assert_non_null(strstr(err.msg, "/dev/null: a character device"));
	assert_int_equal(fsafe_open_input(at("none"), NULL, &err), -1);
	assert_int_equal(err.code, TS_ERR_NOTFOUND);
	assert_null(fsafe_fopen_input(at("fifo"), NULL, &err));
}

static void test_regular_and_outputs(void **st)
{
	(void)st;
	ts_error err;
	put(at("in.json"), "{}\n");
	assert_int_equal(link(at("in.json"), at("hard.png")), 0);
	assert_int_equal(symlink("in.json", at("sym.png")), 0);
	assert_int_equal(fsafe_check_output(at("in.json"), &err), TS_OK); /* not read yet */
	struct stat sb;
	FILE *f = fsafe_fopen_input(at("in.json"), &sb, &err);
	assert_non_null(f);
	assert_true(S_ISREG(sb.st_mode));
	char b[8] = { 0 };
	assert_int_equal(fread(b, 1, sizeof b, f), 3); /* O_NONBLOCK cleared: reads normally */
	fclose(f);
	assert_int_equal(fsafe_check_output(at("in.json"), &err), TS_ERR_USAGE);
	assert_non_null(strstr(err.msg, "same file as the input"));
	assert_int_equal(fsafe_check_output(at("hard.png"), &err), TS_ERR_USAGE);
	assert_int_equal(fsafe_check_output(at("sym.png"), &err), TS_ERR_USAGE);
	assert_non_null(strstr(err.msg, "in.json"));
	assert_int_equal(fsafe_check_output(at("new.png"), &err), TS_OK);
	put(at("other.png"), "x");
	assert_int_equal(fsafe_check_output(at("other.png"), &err), TS_OK);
	assert_non_null(fsafe_input_named(&sb));
}

/* A deleted input whose inode number a new file gets is no clash. */
static void test_inode_reuse(void **st)
{
	(void)st;
	ts_error err;
	put(at("gone.json"), "{}");
	struct stat sb;
	int fd = fsafe_open_input(at("gone.json"), &sb, &err);
	assert_true(fd >= 0);
	close(fd);
	unlink(at("gone.json"));
	int reused = 0;
	for (int i = 0; i < 64 && !reused; i++) {
		char name[32];
		snprintf(name, sizeof name, "new%d.png", i);
		put(at(name), "x");
		struct stat nb;
		assert_int_equal(stat(at(name), &nb), 0);
		if (nb.st_ino == sb.st_ino && nb.st_dev == sb.st_dev) {
			reused = 1;
			assert_int_equal(fsafe_check_output(at(name), &err), TS_OK);
		}
	}
	(void)reused; /* the file system may not reuse it: nothing to check then */
}

static int setup(void **st)
{
	(void)st;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **st)
{
	(void)st;
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused_kinds),
		cmocka_unit_test(test_regular_and_outputs),
		cmocka_unit_test(test_inode_reuse),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
