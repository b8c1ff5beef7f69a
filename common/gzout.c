/*
 * gzout.c - buffered file output, gzip or plain, through a temporary file
 * that is renamed into place only after a clean finish.  It deflates in
 * large chunks (one call per MiB) and checks every write and close.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "gzout.h"
#include "msg.h"

#define GZOUT_BUFSZ	(1u << 20)

struct gzout {
	char		*path;		/* final name */
	char		*tmp;		/* PATH.tmp.XXXXXX */
	int		 fd;		/* -1 once finished */
	int		 gzip;
	z_stream	 zs;
	unsigned char	*in;		/* bytes not yet deflated or written */
	size_t		 inlen;
	unsigned char	*out;		/* deflate output */
	uint64_t	 bytes;
};

static void	write_all(struct gzout *, const unsigned char *, size_t);
static void	drain(struct gzout *, int);
static void	*xmalloc(size_t);

struct gzout *
gzout_open(const char *path, int level)
{
	struct gzout *g;
	size_t plen = strlen(path);
	mode_t mask;

	g = xmalloc(sizeof(*g));
	memset(g, 0, sizeof(*g));
	g->path = xmalloc(plen + 1);
	memcpy(g->path, path, plen + 1);
	g->tmp = xmalloc(plen + sizeof(".tmp.XXXXXX"));
	memcpy(g->tmp, path, plen);
	memcpy(g->tmp + plen, ".tmp.XXXXXX", sizeof(".tmp.XXXXXX"));
	if ((g->fd = mkstemp(g->tmp)) == -1)
		die_sys("%s: cannot create temporary file", path);
	/* mkstemp makes 0600; give the file the mode open(2) would. */
	mask = umask(0);
	umask(mask);
	if (fchmod(g->fd, 0666 & ~mask) == -1)
		die_sys("%s", g->tmp);
	g->in = xmalloc(GZOUT_BUFSZ);
	if (level != GZOUT_PLAIN) {
		g->gzip = 1;
		g->out = xmalloc(GZOUT_BUFSZ);
		/* windowBits 15+16: a gzip wrapper with mtime 0, no name. */
		if (deflateInit2(&g->zs, level, Z_DEFLATED, 15 + 16, 8,
		    Z_DEFAULT_STRATEGY) != Z_OK)
			die(EXIT_DATA, "%s: cannot start deflate", path);
	}
	return g;
}

void
gzout_write(struct gzout *g, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	size_t room;

	g->bytes += n;
	while (n > 0) {
		room = GZOUT_BUFSZ - g->inlen;
		if (room > n)
			room = n;
		memcpy(g->in + g->inlen, p, room);
		g->inlen += room;
		p += room;
		n -= room;
		if (g->inlen == GZOUT_BUFSZ)
			drain(g, Z_NO_FLUSH);
	}
}

void
gzout_finish(struct gzout *g)
{
	if (g->fd == -1)
		return;
	drain(g, Z_FINISH);
	if (g->gzip)
		deflateEnd(&g->zs);
	if (close(g->fd) == -1) {
		g->fd = -1;
		die_sys("%s", g->path);
	}
	g->fd = -1;
}

void
gzout_commit(struct gzout *g)
{
	if (rename(g->tmp, g->path) == -1)
		die_sys("%s: cannot rename %s into place", g->path, g->tmp);
	free(g->in);
	free(g->out);
	free(g->tmp);
	free(g->path);
	free(g);
}

void
gzout_close(struct gzout *g)
{
	gzout_finish(g);
	gzout_commit(g);
}

void
gzout_discard(struct gzout *g)
{
	if (g->fd != -1) {
		if (g->gzip)
			deflateEnd(&g->zs);
		close(g->fd);
	}
	unlink(g->tmp);
	free(g->in);
	free(g->out);
	free(g->tmp);
	free(g->path);
	free(g);
}

uint64_t
gzout_bytes(const struct gzout *g)
{
	return g->bytes;
}

const char *
gzout_path(const struct gzout *g)
{
	return g->path;
}

/* Hand the buffered bytes to the file, deflating first when gzip. */
static void
drain(struct gzout *g, int flush)
{
	int rc;

	if (!g->gzip) {
		write_all(g, g->in, g->inlen);
		g->inlen = 0;
		return;
	}
	g->zs.next_in = g->in;
	g->zs.avail_in = (uInt)g->inlen;
	do {
		g->zs.next_out = g->out;
		g->zs.avail_out = GZOUT_BUFSZ;
		rc = deflate(&g->zs, flush);
		if (rc == Z_STREAM_ERROR)
			die(EXIT_DATA, "%s: deflate failed", g->path);
		write_all(g, g->out, GZOUT_BUFSZ - g->zs.avail_out);
	} while (g->zs.avail_in > 0 || g->zs.avail_out == 0 ||
	    (flush == Z_FINISH && rc != Z_STREAM_END));
	g->inlen = 0;
}

static void
write_all(struct gzout *g, const unsigned char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(g->fd, p, n);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			die_sys("%s", g->path);
		}
		p += w;
		n -= (size_t)w;
	}
}

static void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n)) == NULL)
		die_sys("malloc");
	return p;
}
