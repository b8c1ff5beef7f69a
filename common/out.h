/*
 * out.h - buffered output with every write checked.  A named output is
 * written to a temporary file beside it and renamed into place only by
 * out_close, so a failed or killed run never leaves a partial FILE.
 */
#ifndef P07_OUT_H
#define P07_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct out {
	int	 fd;
	char	*buf;
	size_t	 len, cap;
	char	*path;		/* final name; NULL for stdout */
	char	*tmp;		/* temporary name while open */
	uint64_t bytes;		/* written so far */
};

/* PATH NULL or "-": stdout. */
void	out_open(struct out *o, const char *path);
void	out_write_slow(struct out *o, const void *p, size_t n);
void	out_flush(struct out *o);
/* Flush, close and (for a file) rename into place.  Dies on any error. */
void	out_close(struct out *o);
void	out_u64(struct out *o, uint64_t v);
void	out_i64(struct out *o, int64_t v);

static inline void
out_write(struct out *o, const void *p, size_t n)
{
	if (o->cap - o->len >= n) {
		memcpy(o->buf + o->len, p, n);
		o->len += n;
	} else
		out_write_slow(o, p, n);
}

static inline void
out_byte(struct out *o, char c)
{
	if (o->len == o->cap)
		out_flush(o);
	o->buf[o->len++] = c;
}

static inline void
out_str(struct out *o, const char *s)
{
	out_write(o, s, strlen(s));
}

#endif
