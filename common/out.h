/*
 * out.h - buffered output with every write checked.  A named output is
 * written to a temporary file beside it; the run's outputs are renamed into
 * place together at exit, and only when every one of them was closed whole.
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
	char	*path;		/* name for messages; NULL for stdout */
	char	*tmp;		/* temporary name while open */
	uint64_t bytes;		/* written so far */
	void	*run;		/* out.c's record of it; NULL if not out_open'ed */
};

/*
 * PATH NULL or "-": stdout.  A regular file (or a new name) is written to
 * PATH.tmp.XXXXXX; a symlink is followed and its final target replaced the
 * same way, beside the target; /dev/stdout, /dev/stderr, devices, FIFOs and
 * /proc and /dev/fd names are written in place.
 */
void	out_open(struct out *o, const char *path);
void	out_write_slow(struct out *o, const void *p, size_t n);
void	out_flush(struct out *o);
/*
 * Flush and close; dies on any error.  A named output is not renamed yet:
 * when the process exits, the temporaries of all outputs of the run are
 * renamed into place if every output opened was closed by out_close, else
 * all are removed.  So a tool's -o, --rejects and --stats files appear
 * together or not at all, whatever the exit status (evidence-sum exits 1
 * on a failed gate and keeps its evidence).  Calling out_close is the
 * tool's word that the output is complete.
 */
void	out_close(struct out *o);
void	out_u64(struct out *o, uint64_t v);
void	out_i64(struct out *o, int64_t v);
/*
 * Forget every output without touching a file: for fuzz/fuzz_rt.c, whose
 * runs end by longjmp instead of exit.
 */
void	out_forget(void);

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
