/*
 * bigbuf.h - growable zero-filled buffers for big tables (hash records,
 * per-group state): small ones from malloc, big ones anonymous mappings
 * flagged for huge pages and grown with mremap.  It never shrinks them.
 *
 * Every table of megabytes belongs here.  A malloc'd or calloc'd block
 * keeps its first and last 2 MiB in 4 KiB pages, and on a virtual machine
 * that hands freed memory back to its host (docs/HACKING.md) the first
 * touch of each costs a fault of up to 20 us (1 GB: 4.5-6 s in 4 KiB
 * pages, about 2 s in huge ones).
 */
#ifndef P07_BIGBUF_H
#define P07_BIGBUF_H

#include <stddef.h>

/*
 * Grow P (OLD bytes, NULL when 0) to NEW bytes; the bytes from OLD on are
 * zero.  Dies when memory is short.  P may move.
 */
void	*bigbuf_grow(void *p, size_t old, size_t new);
/* Free P of CAP bytes (as last grown). */
void	 bigbuf_free(void *p, size_t cap);

#endif
