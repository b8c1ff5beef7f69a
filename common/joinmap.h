/*
 * joinmap.h - the filter side of a hash join: byte-string keys, each with one
 * byte-string value stored right after it, in chunks that never move (no
 * copying as the table grows).  Built once, then probed in batches.  It never
 * deletes a key and never hands out ids.
 *
 * Why not hashmap.h: a join needs key and value together, so that a probe
 * costs two cache misses (slot, record) instead of three or four (slot,
 * record, id -> value offset, value), and a 1.6 M-key filter is stored in
 * about key + value + 12 bytes per key, not a copy per growth step.
 *
 * A record is: u16 key length, u16 value length (both 0xffff: u32 key
 * length and u32 value length follow), then the first line number (u64,
 * only when the map was made WITH_LINE), the key and the value.  A slot is
 * 0 (empty) or tag << 40 | (offset + 1); an offset is a chunk number times
 * JM_CHUNK plus the place in the chunk, so any record is one shift and one
 * load away.  The slot count is not a power of two: a hash's low 40 bits,
 * scaled by a multiply, pick the home slot (its top 24 bits are the tag),
 * so the slots are sized to the filter (two thirds full) instead of
 * rounded up (a 12 M-key table: 19 M slots, not 32 M).
 */
#ifndef P07_JOINMAP_H
#define P07_JOINMAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define JM_CHUNK_BITS	24		/* 16 MiB chunks (of address space) */
#define JM_CHUNK	((uint64_t)1 << JM_CHUNK_BITS)
#define JM_OFF_BITS	40
#define JM_OFF_MASK	((UINT64_C(1) << JM_OFF_BITS) - 1)

struct joinmap {
	uint64_t	*slots;
	size_t		 size;
	size_t		 count;		/* keys */
	char		**chunk;	/* chunk i holds offsets i * JM_CHUNK.. */
	size_t		 nchunks, chunks_cap;
	char		**block;	/* what malloc gave: a chunk or more */
	size_t		 nblocks;
	uint64_t	 used, end;	/* next free offset, end of its chunk */
	uint64_t	 rec_bytes;	/* bytes of records written */
	int		 with_line;
};

/* The map's hash: short keys cost one or two 64x64->128 multiplies. */
uint64_t	 jm_hash(const void *p, size_t n);

/*
 * Size the map for EXPECTED keys; WITH_LINE: records keep the line number
 * of the row that put them (for a duplicate-key message).
 */
void		 jm_init(struct joinmap *m, size_t expected, int with_line);
void		 jm_free(struct joinmap *m);

/*
 * Insert KEY (hash HV) with VAL and LINE when absent: 1.  Present: 0, its
 * first line in *FIRST (0 without WITH_LINE), and with REPLACE its value
 * becomes VAL.
 */
int		 jm_put(struct joinmap *m, uint64_t hv, const void *key,
		    size_t kn, const void *val, size_t vn, uint64_t line,
		    int replace, uint64_t *first);

/* Bytes held: slots and records. */
size_t		 jm_bytes(const struct joinmap *m);

/* The record at slot value S (nonzero). */
static inline const char *
jm_rec(const struct joinmap *m, uint64_t s)
{
	uint64_t off = (s & JM_OFF_MASK) - 1;

	return m->chunk[off >> JM_CHUNK_BITS] + (off & (JM_CHUNK - 1));
}

/* Key and value lengths of record R; where its line (or key) starts. */
static inline const char *
jm_parse(const char *r, size_t *kn, size_t *vn)
{
	uint16_t s[2];
	uint32_t l[2];

	memcpy(s, r, 4);
	if (s[0] != 0xffff) {
		*kn = s[0];
		*vn = s[1];
		return r + 4;
	}
	memcpy(l, r + 4, 8);
	*kn = l[0];
	*vn = l[1];
	return r + 12;
}

/* The home slot of hash HV among SIZE slots. */
static inline size_t
jm_home(uint64_t hv, size_t size)
{
	return (size_t)(((unsigned __int128)(hv << (64 - JM_OFF_BITS)) *
	    size) >> 64);
}

/*
 * A prefetch the compiler keeps.  GCC 12 at -O2 deletes a loop whose only
 * effect is __builtin_prefetch of an address loaded in the loop (the record
 * stage below was never in the binary); a volatile asm stays put.
 */
static inline void
jm_prefetch(const void *p)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ volatile("prefetcht0 %0" : : "m"(*(const char *)p));
#else
	__builtin_prefetch(p);
#endif
}

/* Batched look-ups, stage 1: bring the home slot of HV into the cache. */
static inline void
jm_prefetch_slot(const struct joinmap *m, uint64_t hv)
{
	jm_prefetch(&m->slots[jm_home(hv, m->size)]);
}

/*
 * Stage 2: bring the record the home slot points to into the cache: the
 * 64 bytes from its start, which may straddle two lines (a 32-byte key with
 * a short value does two times in three).
 */
static inline void
jm_prefetch_rec(const struct joinmap *m, uint64_t hv)
{
	uint64_t s = m->slots[jm_home(hv, m->size)];
	const char *r;

	if (s != 0 && (s >> JM_OFF_BITS) == (hv >> JM_OFF_BITS)) {
		r = jm_rec(m, s);
		jm_prefetch(r);
		jm_prefetch(r + 63);
	}
}

/* Stage 3: the value of KEY (hash HV) and its length; NULL when absent. */
static inline const char *
jm_get(const struct joinmap *m, uint64_t hv, const void *key, size_t n,
    size_t *vn)
{
	uint64_t tag = hv >> JM_OFF_BITS, s;
	size_t i = jm_home(hv, m->size), kn;
	const char *r;

	while ((s = m->slots[i]) != 0) {
		if ((s >> JM_OFF_BITS) == tag) {
			r = jm_parse(jm_rec(m, s), &kn, vn);
			r += m->with_line ? 8 : 0;
			if (kn == n && memcmp(r, key, n) == 0)
				return r + n;
		}
		if (++i == m->size)
			i = 0;
	}
	return NULL;
}

#endif
