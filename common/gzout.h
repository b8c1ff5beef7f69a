/*
 * gzout.h - a buffered output file, gzip (zlib deflate) or plain, written to
 * PATH.tmp.XXXXXX beside PATH and renamed into place only on success.
 * Every write is checked and a failure is fatal (msg.h); it never reads.
 */
#ifndef P07_GZOUT_H
#define P07_GZOUT_H

#include <stddef.h>
#include <stdint.h>

#define GZOUT_PLAIN	(-1)	/* level: no compression */

struct gzout;

/*
 * Create the temporary file for PATH (mode 0666 less the umask).  LEVEL is
 * GZOUT_PLAIN or a zlib level 0-9.  The gzip header carries no name and
 * mtime 0, so equal bytes in give equal bytes out.  Dies on failure.
 */
struct gzout	*gzout_open(const char *path, int level);
void		 gzout_write(struct gzout *g, const void *buf, size_t n);
/* End the stream and close the temporary file; it keeps its temporary name. */
void		 gzout_finish(struct gzout *g);
/* Rename a finished file into place and free G. */
void		 gzout_commit(struct gzout *g);
/* gzout_finish, then gzout_commit. */
void		 gzout_close(struct gzout *g);
/* Remove the temporary file (finished or not) and free G. */
void		 gzout_discard(struct gzout *g);
/* Uncompressed bytes written so far. */
uint64_t	 gzout_bytes(const struct gzout *g);
const char	*gzout_path(const struct gzout *g);

#endif
