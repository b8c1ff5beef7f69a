/*
 * gzout.h - a buffered output file, gzip (zlib deflate) or plain, written
 * through common/out.c: to PATH.tmp.XXXXXX beside PATH, renamed into place
 * at exit together with every other output of the run (--stats included),
 * and only when all of them were finished; otherwise all are removed.
 * Every write is checked and a failure is fatal (msg.h); it never reads.
 */
#ifndef P07_GZOUT_H
#define P07_GZOUT_H

#include <stddef.h>
#include <stdint.h>

#define GZOUT_PLAIN	(-1)	/* level: no compression */

struct gzout;

/*
 * Open PATH with out_open (a temporary beside it; mode 0666 less the
 * umask, or the mode of the file it replaces).  LEVEL is GZOUT_PLAIN or a
 * zlib level 0-9.  The gzip header carries no name and mtime 0, so equal
 * bytes in give equal bytes out.  Dies on failure.
 */
struct gzout	*gzout_open(const char *path, int level);
void		 gzout_write(struct gzout *g, const void *buf, size_t n);
/*
 * End the stream and out_close the file: this process's word that it is
 * complete.  It is renamed into place only when the process that opened
 * it exits with every output finished.
 */
void		 gzout_finish(struct gzout *g);
/* gzout_finish, then free G. */
void		 gzout_close(struct gzout *g);
/*
 * In the process that opened G, after a forked child wrote it and ended
 * with gzout_finish and exit status 0: record it as finished here too
 * (out.c's record of the run lives in this process), and free G.  G must
 * not have been written to in this process.
 */
void		 gzout_child_finished(struct gzout *g);
/* Uncompressed bytes written so far. */
uint64_t	 gzout_bytes(const struct gzout *g);
const char	*gzout_path(const struct gzout *g);

#endif
