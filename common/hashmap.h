/*
 * hashmap.h - byte-string keys to dense ids 0..n-1 (open addressing, linear
 * probing, keys packed in one growing buffer).  Callers keep per-id values
 * in their own arrays, so an entry costs 8 bytes of slot plus 8 bytes of
 * record plus the key: no malloc per key.
 */
#ifndef P07_HASHMAP_H
#define P07_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

#define HMAP_NONE	UINT32_MAX

struct hashmap {
	uint64_t	*slots;		/* 0 empty, else tag<<40 | (offset+1) */
	size_t		 mask;
	uint32_t	 count;
	char		*keys;		/* records: u32 id, u32 len, key bytes */
	size_t		 keys_len, keys_cap;
	uint64_t	*rec;		/* id -> offset of its record */
	size_t		 rec_cap;
};

uint64_t	 hash_bytes(const void *p, size_t n);
void		 hmap_init(struct hashmap *h, size_t expected);
void		 hmap_free(struct hashmap *h);
uint32_t	 hmap_find(const struct hashmap *h, const void *key, size_t n);
/* The id of KEY, inserted if new (*ISNEW set to 1 then). */
uint32_t	 hmap_insert(struct hashmap *h, const void *key, size_t n,
		    int *isnew);
/* hmap_insert() with HV = hash_bytes(KEY, N) computed by the caller. */
uint32_t	 hmap_insert_hv(struct hashmap *h, uint64_t hv, const void *key,
		    size_t n, int *isnew);
const char	*hmap_key(const struct hashmap *h, uint32_t id, size_t *n);
size_t		 hmap_bytes(const struct hashmap *h);	/* memory held */

/*
 * For loops over ids in a random order: bring ID's record pointer, then
 * (some iterations later) its key into the cache before hmap_key().
 */
static inline void
hmap_prefetch_rec(const struct hashmap *h, uint32_t id)
{
	__builtin_prefetch(&h->rec[id]);
}

static inline void
hmap_prefetch_key(const struct hashmap *h, uint32_t id)
{
	__builtin_prefetch(h->keys + h->rec[id]);
}

#endif
