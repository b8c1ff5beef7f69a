/*
 * hashprobe.h - batched look-ups into a struct hashmap: the hash computed once
 * by the caller, the slot and then the key record prefetched, so that a batch
 * of probes overlaps its cache misses.  Read-only: it never inserts or grows.
 *
 * It relies on the slot layout documented in hashmap.h (0 empty, else
 * tag<<HPROBE_OFF_BITS | (record offset + 1); record = u32 id, u32 len, key)
 * and on hash_bytes() being the table's hash.  kpi-agg, its one user, is
 * checked with many groups against sqlite3 and sort | uniq -c
 * (tests/kpi-agg.bats), so a change there is caught.
 */
#ifndef P07_HASHPROBE_H
#define P07_HASHPROBE_H

#include <stdint.h>
#include <string.h>

#include "hashmap.h"

#define HPROBE_OFF_BITS	40	/* OFF_BITS of hashmap.c */
#define HPROBE_OFF_MASK	((UINT64_C(1) << HPROBE_OFF_BITS) - 1)

/* Stage 1: bring the home slot of hash HV into the cache. */
static inline void
hprobe_slot(const struct hashmap *h, uint64_t hv)
{
	__builtin_prefetch(&h->slots[hv & h->mask]);
}

/* Stage 2: bring the record the home slot points to into the cache. */
static inline void
hprobe_record(const struct hashmap *h, uint64_t hv)
{
	uint64_t s = h->slots[hv & h->mask];

	if (s != 0 && (s >> HPROBE_OFF_BITS) == (hv >> HPROBE_OFF_BITS))
		__builtin_prefetch(h->keys + (s & HPROBE_OFF_MASK) - 1);
}

/* Stage 3: hmap_find() with the hash already known. */
static inline uint32_t
hprobe_find(const struct hashmap *h, uint64_t hv, const void *key, size_t n)
{
	uint64_t tag = hv >> HPROBE_OFF_BITS, s;
	size_t i = hv & h->mask;
	const char *rec;
	uint32_t len, id;

	while ((s = h->slots[i]) != 0) {
		if ((s >> HPROBE_OFF_BITS) == tag) {
			rec = h->keys + (s & HPROBE_OFF_MASK) - 1;
			memcpy(&len, rec + 4, 4);
			if (len == n && memcmp(rec + 8, key, n) == 0) {
				memcpy(&id, rec, 4);
				return id;
			}
		}
		i = (i + 1) & h->mask;
	}
	return HMAP_NONE;
}

#endif
