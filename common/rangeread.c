/*
 * rangeread.c - lines of a byte range of a file (see rangeread.h): the same
 * 1 MiB reads and memchr as tsv.c, with pread at the range's own offset.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "rangeread.h"

#define RR_BUFSIZE	(1 << 20)
#define RR_SPARES	8

/*
 * Buffers of closed ranges, for the next ranges opened.  A table is read in
 * dozens of ranges (and their ends looked for in as many more), and a fresh
 * 1 MiB buffer costs 256 page faults (bigbuf.h: what one costs).  Shared by
 * the threads, so behind a lock; taken once a range.
 */
static pthread_mutex_t spare_lock = PTHREAD_MUTEX_INITIALIZER;
static char *spare[RR_SPARES];
static size_t spare_cap[RR_SPARES];
static int nspare;

void
rr_open(struct rangeread *rr, int fd, const char *name, uint64_t beg,
    uint64_t end)
{
	memset(rr, 0, sizeof(*rr));
	rr->fd = fd;
	rr->name = name;
	rr->pos = beg;
	rr->end = end;
	pthread_mutex_lock(&spare_lock);
	if (nspare > 0) {
		nspare--;
		rr->buf = spare[nspare];
		rr->cap = spare_cap[nspare];
	}
	pthread_mutex_unlock(&spare_lock);
	if (rr->buf != NULL)
		return;
	rr->cap = RR_BUFSIZE;
	if ((rr->buf = malloc(rr->cap)) == NULL)
		die_sys("out of memory");
}

/*
 * Read more after what is buffered: up to the end of the range first, past
 * it only to finish a line that started inside.
 */
static void
fill(struct rangeread *rr)
{
	size_t want;
	ssize_t n;

	if (rr->beg > 0) {
		memmove(rr->buf, rr->buf + rr->beg, rr->len - rr->beg);
		rr->len -= rr->beg;
		rr->beg = 0;
	}
	if (rr->len == rr->cap) {
		rr->cap *= 2;
		if ((rr->buf = realloc(rr->buf, rr->cap)) == NULL)
			die_sys("out of memory");
	}
	want = rr->cap - rr->len;
	if (rr->pos < rr->end && rr->end - rr->pos < want)
		want = rr->end - rr->pos;
	do
		n = pread(rr->fd, rr->buf + rr->len, want, (off_t)rr->pos);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		die_sys("%s: read error", rr->name);
	if (n == 0)
		rr->eof = 1;
	rr->pos += (uint64_t)n;
	rr->len += (size_t)n;
}

uint64_t
rr_tell(const struct rangeread *rr)
{
	return rr->pos - (rr->len - rr->beg);
}

int
rr_next(struct rangeread *rr, struct slice *line)
{
	char *p, *nl;
	size_t scanned = 0;

	if (rr_tell(rr) >= rr->end)
		return 0;
	for (;;) {
		p = rr->buf + rr->beg;
		nl = memchr(p + scanned, '\n', rr->len - rr->beg - scanned);
		if (nl != NULL || (rr->eof && rr->beg < rr->len))
			break;
		if (rr->eof)
			return 0;
		scanned = rr->len - rr->beg;
		fill(rr);
	}
	line->p = p;
	if (nl != NULL) {
		line->n = nl - p;
		rr->beg += line->n + 1;
	} else {
		line->n = rr->len - rr->beg;	/* no final newline */
		rr->beg = rr->len;
	}
	if (line->n > 0 && p[line->n - 1] == '\r')
		line->n--;
	rr->line++;
	return 1;
}

void
rr_close(struct rangeread *rr)
{
	pthread_mutex_lock(&spare_lock);
	if (nspare < RR_SPARES) {
		spare[nspare] = rr->buf;
		spare_cap[nspare] = rr->cap;
		nspare++;
		rr->buf = NULL;
	}
	pthread_mutex_unlock(&spare_lock);
	free(rr->buf);
	rr->buf = NULL;
}
