/*
 * fieldlist.c - resolving field lists against a header.  Errors here are
 * usage errors, raised before any output is written; it never looks at data.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldlist.h"
#include "msg.h"

void
header_init(struct header *h, const char *line, size_t n)
{
	memset(h, 0, sizeof(*h));
	if ((h->line = malloc(n + 1)) == NULL)
		die_sys("out of memory");
	memcpy(h->line, line, n);
	h->line[n] = '\0';
	tsv_split(&h->names, h->line, n);
}

void
header_free(struct header *h)
{
	free(h->line);
	fields_free(&h->names);
	h->line = NULL;
}

long
header_find(const struct header *h, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < h->names.n; i++)
		if (h->names.f[i].n == n && memcmp(h->names.f[i].p, name, n) == 0)
			return (long)i;
	return -1;
}

/* The header as "a, b, c" for messages. */
static char *
header_list(const struct header *h)
{
	char *s, *p;
	size_t i, len = 1;

	for (i = 0; i < h->names.n; i++)
		len += h->names.f[i].n + 2;
	if ((s = p = malloc(len)) == NULL)
		die_sys("out of memory");
	for (i = 0; i < h->names.n; i++) {
		if (i > 0) {
			*p++ = ',';
			*p++ = ' ';
		}
		memcpy(p, h->names.f[i].p, h->names.f[i].n);
		p += h->names.f[i].n;
	}
	*p = '\0';
	return s;
}

static int
all_digits(const char *p, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			return 0;
	return 1;
}

static size_t
field_number(const char *p, size_t n, const char *opt, const char *spec)
{
	unsigned long long v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		v = v * 10 + (p[i] - '0');
		if (v > 1000000)
			break;
	}
	if (v == 0 || v > 1000000)
		die_usage("%s: invalid field number '%.*s' in '%s' "
		    "(fields are numbered from 1)", opt, (int)n, p, spec);
	return v - 1;
}

static void
push(struct fieldlist *fl, size_t idx)
{
	size_t *idxs;

	/* capacity doubles at each power of two: '1-1000000' is not quadratic */
	if ((fl->n & (fl->n - 1)) == 0) {
		if ((idxs = realloc(fl->idx, (fl->n ? fl->n * 2 : 1) *
		    sizeof(*idxs))) == NULL)
			die_sys("out of memory");
		fl->idx = idxs;
	}
	fl->idx[fl->n++] = idx;
	if (idx + 1 > fl->max)
		fl->max = idx + 1;
}

void
fieldlist_parse(struct fieldlist *fl, const char *spec,
    const struct header *h, const char *opt)
{
	const char *p = spec, *end, *dash;
	size_t n, lo, hi, i;
	long found;
	char *list;

	memset(fl, 0, sizeof(*fl));
	if (*spec == '\0')
		die_usage("%s: empty field list", opt);
	for (;;) {
		end = strchr(p, ',');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		dash = memchr(p, '-', n);
		if (n == 0)
			die_usage("%s: empty field in list '%s'", opt, spec);
		if (all_digits(p, n))
			push(fl, field_number(p, n, opt, spec));
		else if (dash != NULL && all_digits(p, dash - p) &&
		    all_digits(dash + 1, p + n - dash - 1)) {
			lo = field_number(p, dash - p, opt, spec);
			hi = field_number(dash + 1, p + n - dash - 1, opt, spec);
			if (hi < lo)
				die_usage("%s: invalid range '%.*s' in '%s'",
				    opt, (int)n, p, spec);
			for (i = lo; i <= hi; i++)
				push(fl, i);
		} else if (h == NULL) {
			die_usage("%s: field name '%.*s' needs a header "
			    "(input is headerless with -N: use numbers)",
			    opt, (int)n, p);
		} else if ((found = header_find(h, p, n)) >= 0) {
			push(fl, found);
		} else {
			list = header_list(h);
			die(EXIT_USAGE, "%s: unknown field '%.*s' "
			    "(header: %s)", opt, (int)n, p, list);
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	if (h != NULL && fl->max > h->names.n)
		die_usage("%s: field %zu is past the last field (%zu)", opt,
		    fl->max, h->names.n);
}

void
fieldlist_free(struct fieldlist *fl)
{
	free(fl->idx);
	fl->idx = NULL;
	fl->n = fl->max = 0;
}

int
fieldlist_is_span(const struct fieldlist *fl)
{
	size_t i;

	for (i = 1; i < fl->n; i++)
		if (fl->idx[i] != fl->idx[i - 1] + 1)
			return 0;
	return 1;
}
