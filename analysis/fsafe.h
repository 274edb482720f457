/* fsafe.h — the one way tailscope opens an input file, and the check that an
 * output never lands on one.
 *
 * Every input (traces, ground truth, run.json, images, --prompt-file) is
 * opened by fsafe_open_input: O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC
 * (opening a FIFO or a terminal neither hangs nor adopts it), then fstat, and
 * anything but a regular file is refused with a message naming it ("FILE: a
 * FIFO, not a regular file: refused") -- `--gt /dev/zero` is refused before a
 * byte is read.  O_NONBLOCK is cleared again once the file is known to be
 * regular.  An input that is the process's standard output (`report F > F`
 * after the shell truncated it, `formats F >> F` that would read what it
 * appends) is refused too.
 *
 * Each input opened this way is remembered (device and inode, with the name it
 * was opened by) for the life of the process; fsafe_check_output refuses an
 * output path that resolves (symlinks followed) to one of them, so
 * `png RUN -o RUN/traces.jsonl` cannot replace the trace it read.  The table is
 * guarded by a mutex (report analyses runs on several threads).
 */
#ifndef TS_FSAFE_H
#define TS_FSAFE_H

#include <stdio.h>
#include <sys/stat.h>

#include "status.h"

/* Opens path read-only as above.  Returns the descriptor (>= 0) and fills
 * *sb (nullable) with its fstat; -1 with err set (TS_ERR_NOTFOUND when it
 * does not exist, TS_ERR_IO otherwise). */
int fsafe_open_input(const char *path, struct stat *sb, ts_error *err);

/* The same as a stdio stream ("rb"); NULL with err set. */
FILE *fsafe_fopen_input(const char *path, struct stat *sb, ts_error *err);

/* "a FIFO", "a directory", "a character device", ... for an st_mode. */
const char *fsafe_kind(unsigned mode);

/* Remembers a file as an input of this process (fsafe_open_input does). */
void fsafe_note_input(const struct stat *sb, const char *path);

/* The name of the input with sb's device and inode, or NULL.  The pointer
 * stays valid for the life of the process. */
const char *fsafe_input_named(const struct stat *sb);

/* TS_OK when path does not exist or is not the same file as an input read so
 * far (stat: symlinks resolved); otherwise TS_ERR_USAGE with err saying
 * "refusing to write OUT: it is the same file as the input IN".  (The input's
 * name must still lead to that file: an inode number reused after the input
 * was deleted is no clash.) */
ts_status fsafe_check_output(const char *path, ts_error *err);

/* Writes buf[0..len) to path atomically: checked as above, written to a new
 * temporary file next to it (mkstemp), fsync'd and renamed over path (a
 * symlink at path is replaced, never written through).  TS_OK, or err set
 * and path untouched. */
ts_status fsafe_write_atomic(const char *path, const void *buf, size_t len, ts_error *err);

#endif
