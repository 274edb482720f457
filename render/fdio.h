/* fdio.h — the one "write all of it" loop for file output (render's PNG
 * files, capture's traces.jsonl lines).  No curses, no terminal: the
 * debugger's terminal writes (tui/pixel.c) have their own rules. */
#ifndef TS_FDIO_H
#define TS_FDIO_H

#include <stddef.h>

/* Writes p[0..n) to fd, retrying short writes and EINTR.  0 ok, -1 with
 * errno set (the bytes before the error may have been written). */
int fdio_write_all(int fd, const void *p, size_t n);

#endif
