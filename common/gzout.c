/*
 * gzout.c - buffered file output, gzip or plain, through common/out.c: the
 * file is a temporary until the run exits, and is renamed into place with
 * the run's other outputs only if every one of them was finished (out.h).
 * It deflates in large chunks (one call per MiB) and checks every write
 * and close.
 * With HAVE_ISAL, levels 0-1 use ISA-L's igzip level 1: about 4x the speed
 * of zlib level 1 on IMDb-like TSV, for files 10-15% larger.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#ifdef HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#include "gzout.h"
#include "msg.h"
#include "out.h"

#define GZOUT_BUFSZ	(1u << 20)

struct gzout {
	struct out	 o;		/* the file, through out.c */
	char		*path;		/* its name, for messages */
	int		 finished;
	int		 gzip;		/* 0 plain, 1 zlib, 2 ISA-L */
	z_stream	 zs;
#ifdef HAVE_ISAL
	struct isal_zstream is;
	unsigned char	*isal_buf;
#endif
	unsigned char	*in;		/* bytes not yet deflated (gzip) */
	size_t		 inlen;
	unsigned char	*out;		/* deflate output */
	uint64_t	 bytes;
};

static void	drain(struct gzout *, int);
static int	start_isal(struct gzout *, int);
static void	*xmalloc(size_t);
static void	 free_bufs(struct gzout *);

struct gzout *
gzout_open(const char *path, int level)
{
	struct gzout *g;

	g = xmalloc(sizeof(*g));
	memset(g, 0, sizeof(*g));
	if ((g->path = strdup(path)) == NULL)
		die_sys("malloc");
	out_open(&g->o, path);
	if (level == GZOUT_PLAIN)
		return g;	/* plain bytes go straight to out.c's buffer */
	g->in = xmalloc(GZOUT_BUFSZ);
	g->out = xmalloc(GZOUT_BUFSZ);
	if (start_isal(g, level))
		g->gzip = 2;
	else {
		g->gzip = 1;
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
	if (!g->gzip) {
		out_write(&g->o, buf, n);
		return;
	}
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
	if (g->finished)
		return;
	if (g->gzip) {
		drain(g, Z_FINISH);
		if (g->gzip == 1)
			deflateEnd(&g->zs);
	}
	out_close(&g->o);
	g->finished = 1;
}

void
gzout_close(struct gzout *g)
{
	gzout_finish(g);
	free_bufs(g);
}

void
gzout_child_finished(struct gzout *g)
{
	/*
	 * The child's out_close happened in its own copy of out.c's record;
	 * this one closes the parent's descriptor (nothing is buffered here)
	 * and marks the file finished where the exit handler will look.
	 */
	if (g->gzip == 1)
		deflateEnd(&g->zs);
	out_close(&g->o);
	free_bufs(g);
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

/* Deflate the buffered bytes and hand the result to out.c. */
static void
drain(struct gzout *g, int flush)
{
	int rc;

#ifdef HAVE_ISAL
	if (g->gzip == 2) {
		g->is.next_in = g->in;
		g->is.avail_in = (uint32_t)g->inlen;
		g->is.end_of_stream = flush == Z_FINISH;
		do {
			g->is.next_out = g->out;
			g->is.avail_out = GZOUT_BUFSZ;
			if (isal_deflate(&g->is) != COMP_OK)
				die(EXIT_DATA, "%s: deflate failed", g->path);
			out_write(&g->o, g->out, GZOUT_BUFSZ - g->is.avail_out);
		} while (g->is.avail_in > 0 || g->is.avail_out == 0 ||
		    (flush == Z_FINISH &&
		    g->is.internal_state.state != ZSTATE_END));
		g->inlen = 0;
		return;
	}
#endif
	g->zs.next_in = g->in;
	g->zs.avail_in = (uInt)g->inlen;
	do {
		g->zs.next_out = g->out;
		g->zs.avail_out = GZOUT_BUFSZ;
		rc = deflate(&g->zs, flush);
		if (rc == Z_STREAM_ERROR)
			die(EXIT_DATA, "%s: deflate failed", g->path);
		out_write(&g->o, g->out, GZOUT_BUFSZ - g->zs.avail_out);
	} while (g->zs.avail_in > 0 || g->zs.avail_out == 0 ||
	    (flush == Z_FINISH && rc != Z_STREAM_END));
	g->inlen = 0;
}

/* ISA-L for the fast levels when built with it; 0 means use zlib. */
static int
start_isal(struct gzout *g, int level)
{
#ifdef HAVE_ISAL
	if (level > 1)
		return 0;
	isal_deflate_init(&g->is);
	g->is.level = 1;
	g->is.level_buf_size = ISAL_DEF_LVL1_DEFAULT;
	g->isal_buf = xmalloc(ISAL_DEF_LVL1_DEFAULT);
	g->is.level_buf = g->isal_buf;
	/* A fixed generic header: mtime 0, no name. */
	g->is.gzip_flag = IGZIP_GZIP;
	g->is.flush = NO_FLUSH;
	return 1;
#else
	(void)g;
	(void)level;
	return 0;
#endif
}

static void
free_bufs(struct gzout *g)
{
#ifdef HAVE_ISAL
	free(g->isal_buf);
#endif
	free(g->in);
	free(g->out);
	free(g->path);
	free(g);
}

static void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n)) == NULL)
		die_sys("malloc");
	return p;
}
