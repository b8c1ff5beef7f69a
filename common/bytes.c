/*
 * bytes.c - the growable byte buffer of bytes.h.
 */
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "msg.h"

void
bytes_reserve(struct bytes *b, size_t n)
{
	if (b->p != NULL && b->cap - b->len >= n)
		return;
	if (b->cap == 0)
		b->cap = 1 << 16;
	while (b->cap - b->len < n)
		b->cap *= 2;
	if ((b->p = realloc(b->p, b->cap)) == NULL)
		die_sys("out of memory");
}

void
bytes_put(struct bytes *b, const void *p, size_t n)
{
	bytes_reserve(b, n);
	if (n > 0) {
		memcpy(b->p + b->len, p, n);
		b->len += n;
	}
}
