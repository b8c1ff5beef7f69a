/*
 * fieldlist.h - field lists as users write them: header names, 1-based
 * numbers and ranges ("tconst,genres", "1,3-5"), resolved to 0-based
 * indexes once, before the first data row.  No per-row work here.
 */
#ifndef P07_FIELDLIST_H
#define P07_FIELDLIST_H

#include <stddef.h>

#include "tsv.h"

struct header {
	char		*line;		/* own copy */
	struct fields	 names;		/* slices into line */
};

struct fieldlist {
	size_t		*idx;		/* 0-based field indexes */
	size_t		 n;
	size_t		 max;		/* largest index + 1 */
};

/* H is the header (NULL for headerless input: names are then an error). */
void	header_init(struct header *h, const char *line, size_t n);
void	header_free(struct header *h);
/* Index of NAME (length N) in H, or -1. */
long	header_find(const struct header *h, const char *name, size_t n);
/*
 * Parse SPEC for option OPT ("-f", "-k") against H.  An unknown name or a
 * malformed list is a usage error (exit 2) naming the field and the header.
 */
void	fieldlist_parse(struct fieldlist *fl, const char *spec,
	    const struct header *h, const char *opt);
void	fieldlist_free(struct fieldlist *fl);
/*
 * The fields are adjacent and in order (3,4,5): their bytes in a row are one
 * run, usable as a key without copying.
 */
int	fieldlist_is_span(const struct fieldlist *fl);

#endif
