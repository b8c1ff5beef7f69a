/*
 * tsv.c - the line reader every tool streams through: 1 MiB reads, memchr for
 * the LF, the buffer grown only for a line longer than it.  It neither checks
 * field counts nor interprets values: that is each tool's job.
 */
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "tsv.h"

#define TSV_BUFSIZE	(1 << 20)

static int	open_next_file(struct tsv_in *);
static int	read_line(struct tsv_in *, struct slice *);

void
tsv_open(struct tsv_in *t, char **paths, size_t npaths, int flags)
{
	struct slice line;

	memset(t, 0, sizeof(*t));
	t->paths = paths;
	t->npaths = npaths;
	t->flags = flags;
	t->cap = TSV_BUFSIZE;
	if ((t->buf = malloc(t->cap)) == NULL)
		die_sys("out of memory");
	if (!open_next_file(t))
		return;
	if (!(flags & TSV_HEADER))
		return;
	if (!read_line(t, &line))
		die(EXIT_DATA, "%s: empty input (expected a header line)",
		    t->name);
	if ((t->header = malloc(line.n + 1)) == NULL)
		die_sys("out of memory");
	memcpy(t->header, line.p, line.n);
	t->header[line.n] = '\0';
	t->header_len = line.n;
}

/* Make the next file current; 0 when there is none. */
static int
open_next_file(struct tsv_in *t)
{
	const char *path;

	if (t->in != NULL) {
		if (t->on_file_end != NULL)
			t->on_file_end(t, t->cb_arg);
		t->raw_bytes += input_raw_bytes(t->in);
		input_close(t->in);
		t->in = NULL;
	}
	if (t->npaths == 0 && t->next == 0)
		path = "-";
	else if (t->next < t->npaths)
		path = t->paths[t->next];
	else
		return 0;
	t->next++;
	t->in = input_open(path, t->flags & 0xff);
	/*
	 * Not input_name(): that string dies with the input at end of file,
	 * and tools still name the file in messages after their last row.
	 */
	t->name = strcmp(path, "-") == 0 ? "stdin" : path;
	t->line = 0;
	t->beg = t->end = 0;
	t->eof = 0;
	return 1;
}

/* Fill the buffer; keeps [beg,end) and grows only when it is all one line. */
static void
refill(struct tsv_in *t)
{
	size_t got;

	if (t->beg > 0) {
		memmove(t->buf, t->buf + t->beg, t->end - t->beg);
		t->end -= t->beg;
		t->beg = 0;
	}
	if (t->end == t->cap) {
		t->cap *= 2;
		if ((t->buf = realloc(t->buf, t->cap)) == NULL)
			die_sys("out of memory");
	}
	got = input_read(t->in, t->buf + t->end, t->cap - t->end);
	if (got == 0)
		t->eof = 1;
	t->end += got;
	t->bytes += got;
}

/* The next line of the current file; 0 at its end. */
static int
read_line(struct tsv_in *t, struct slice *line)
{
	char *p, *nl;
	size_t scanned = 0;

	for (;;) {
		p = t->buf + t->beg;
		nl = memchr(p + scanned, '\n', t->end - t->beg - scanned);
		if (nl != NULL || (t->eof && t->beg < t->end))
			break;
		if (t->eof)
			return 0;
		scanned = t->end - t->beg;
		refill(t);
	}
	line->p = p;
	if (nl != NULL) {
		line->n = nl - p;
		t->beg += line->n + 1;
	} else {
		line->n = t->end - t->beg;	/* no final newline */
		t->beg = t->end;
	}
	if (line->n > 0 && p[line->n - 1] == '\r')
		line->n--;
	if (++t->line == 1 && line->n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		line->p += 3;
		line->n -= 3;
	}
	return 1;
}

int
tsv_peek(struct tsv_in *t, struct slice *blk)
{
	const char *nl;
	size_t scanned = 0;

	if (t->in == NULL || t->line == 0)
		return 0;
	for (;;) {
		nl = memrchr(t->buf + t->beg + scanned, '\n',
		    t->end - t->beg - scanned);
		if (nl != NULL)
			break;
		if (t->eof)
			return 0;
		scanned = t->end - t->beg;
		refill(t);
	}
	blk->p = t->buf + t->beg;
	blk->n = nl + 1 - blk->p;
	return 1;
}

void
tsv_skip(struct tsv_in *t, size_t nbytes, uint64_t nlines)
{
	t->beg += nbytes;
	t->line += nlines;
}

/* A later file must start with the first file's header, which is skipped. */
static void
skip_header(struct tsv_in *t)
{
	struct slice line;

	if (!read_line(t, &line))
		die(EXIT_DATA, "%s: empty input (expected a header line)",
		    t->name);
	if (line.n != t->header_len || memcmp(line.p, t->header, line.n) != 0)
		die_at(t->name, 1, "header differs from the first file's "
		    "(expected '%s')", t->header);
}

int
tsv_next(struct tsv_in *t, struct slice *line)
{
	if (t->in == NULL)
		return 0;
	for (;;) {
		if (read_line(t, line))
			return 1;
		if (!open_next_file(t))
			return 0;
		if (t->flags & TSV_HEADER)
			skip_header(t);
	}
}

void
tsv_close(struct tsv_in *t)
{
	if (t->in != NULL) {
		t->raw_bytes += input_raw_bytes(t->in);
		input_close(t->in);
		t->in = NULL;
	}
	free(t->buf);
	free(t->header);
	t->buf = t->header = NULL;
}

size_t
tsv_split(struct fields *fv, const char *p, size_t n)
{
	const char *end = p + n, *tab;

	fv->n = 0;
	for (;;) {
		if (fv->n == fv->cap) {
			fv->cap = fv->cap ? fv->cap * 2 : 16;
			fv->f = realloc(fv->f, fv->cap * sizeof(*fv->f));
			if (fv->f == NULL)
				die_sys("out of memory");
		}
		tab = memchr(p, '\t', end - p);
		fv->f[fv->n].p = p;
		if (tab == NULL) {
			fv->f[fv->n++].n = end - p;
			return fv->n;
		}
		fv->f[fv->n++].n = tab - p;
		p = tab + 1;
	}
}

void
fields_free(struct fields *fv)
{
	free(fv->f);
	fv->f = NULL;
	fv->n = fv->cap = 0;
}

int
slice_eq(struct slice s, const char *str)
{
	size_t n = strlen(str);

	return s.n == n && memcmp(s.p, str, n) == 0;
}
