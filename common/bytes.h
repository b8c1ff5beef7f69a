/*
 * bytes.h - a growable byte buffer: keys built from several fields, fill
 * values, column names.  It doubles, so appending is amortised O(1).
 */
#ifndef P07_BYTES_H
#define P07_BYTES_H

#include <stddef.h>

struct bytes {
	char		*p;
	size_t		 len, cap;
};

/* Room for N more bytes after B->len; B->p is never NULL afterwards. */
void	bytes_reserve(struct bytes *b, size_t n);
/* Append P[0..N) to B (P may be NULL when N is 0). */
void	bytes_put(struct bytes *b, const void *p, size_t n);

#endif
