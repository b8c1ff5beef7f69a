/*
 * rowkey.c - keys of rows from field lists (rowkey.h).
 */
#include <string.h>

#include "rowkey.h"

struct slice
rowkey(const struct fieldlist *fl, int span, const struct slice *fv,
    struct bytes *scratch)
{
	const struct slice *f;
	struct slice k;
	size_t i, n;
	char *p;

	if (span) {
		f = &fv[fl->idx[fl->n - 1]];
		k.p = fv[fl->idx[0]].p;
		k.n = f->p + f->n - k.p;
		return k;
	}
	for (n = 0, i = 0; i < fl->n; i++)
		n += fv[fl->idx[i]].n + 1;
	scratch->len = 0;
	bytes_reserve(scratch, n);
	p = scratch->p;
	for (i = 0; i < fl->n; i++) {
		f = &fv[fl->idx[i]];
		if (i > 0)
			*p++ = '\t';
		memcpy(p, f->p, f->n);
		p += f->n;
	}
	k.p = scratch->p;
	k.n = p - scratch->p;
	return k;
}

int
rowkey_null(const struct fieldlist *fl, const struct slice *fv)
{
	const struct slice *f;
	size_t i;

	for (i = 0; i < fl->n; i++) {
		f = &fv[fl->idx[i]];
		if (f->n == 2 && f->p[0] == '\\' && f->p[1] == 'N')
			return 1;
	}
	return 0;
}
