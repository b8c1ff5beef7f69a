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
 * only when the map was made WITH_LINE), the key and the value.  A key of
 * 32 lowercase hex digits (the star schema's MD5 keys) is stored as its
 * 16 bytes, JM_HEX_MARK in place of its length: a third less memory for a
 * 12 M-title filter, and the first touch of new memory is most of what
 * loading a big filter costs.  A slot is 0 (empty) or tag << 40 |
 * (offset + 1); an offset is a chunk number times JM_CHUNK plus the place
 * in the chunk, so any record is one shift and one load away.  The slot count is not a power of two: a hash's low 40 bits,
 * scaled by a multiply, pick the home slot (its top 24 bits are the tag),
 * so the slots are sized to the filter (two thirds full) instead of
 * rounded up (a 12 M-key table: 19 M slots, not 32 M).
 *
 * A map made JM_KEYS_ONLY (a semi- or anti-join: no values, no lines) keeps
 * keys of up to 15 bytes in the slots themselves, 16 bytes each (the key,
 * zero-padded, and its length + 1 in the last byte; 0 there: empty), so a
 * probe is one cache miss, not two.  The first longer key moves every key
 * into records and the map goes on as above.
 *
 * A keys-only map holds IMDb's ids (two lowercase letters and 7 digits, or
 * 8 not starting with 0: the ids of the first such key's two letters) as
 * bits, one per number: 15 M nconsts take 2 MB instead of 360 MB of slots
 * probed at random (a cache and TLB miss each), and a batch prefetches its
 * bits.  Only the other keys, if any, go to the slots, made when the first
 * of them comes.
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
#define JM_SHORT	15		/* longest key kept in a slot */
#define JM_HEX_MARK	0xfffe		/* u16 key length: 32 hex digits, */
#define JM_HEX		SIZE_MAX	/* as jm_parse gives it: in 16 bytes */

/* jm_init flags */
#define JM_WITH_LINE	1		/* keep each key's first line number */
#define JM_KEYS_ONLY	2		/* no values: short keys in the slots */

/* A short key in its slot: bytes 0..14 the key, byte 15 its length + 1. */
struct jm_short {
	uint64_t	 w[2];
};

struct joinmap {
	uint64_t	*ids;		/* keys only: bit N, id number N is in */
	size_t		 id_words;	/* 64 bits each */
	size_t		 id_count;	/* ids in */
	unsigned char	 id_prefix[2];	/* their letters (ids != NULL) */
	int		 keys_only;
	uint64_t	*slots;		/* records: tag << 40 | offset + 1 */
	struct jm_short	*shorts;	/* or (keys only) the keys themselves */
	size_t		 size;
	size_t		 count;		/* keys in the slots */
	char		**chunk;	/* chunk i holds offsets i * JM_CHUNK.. */
	size_t		 nchunks, chunks_cap;
	char		**block;	/* each mapped: a chunk or more */
	size_t		*block_chunks;	/* how many chunks each */
	size_t		 nblocks;
	uint64_t	 used, end;	/* next free offset, end of its chunk */
	uint64_t	 rec_bytes;	/* bytes of records written */
	uint64_t	 hex_keys;	/* records with a JM_HEX key */
	int		 with_line;
};

/* The map's hash: short keys cost one or two 64x64->128 multiplies. */
uint64_t	 jm_hash(const void *p, size_t n);

/* Size the map for EXPECTED keys; FLAGS: JM_WITH_LINE, JM_KEYS_ONLY. */
void		 jm_init(struct joinmap *m, size_t expected, int flags);
void		 jm_free(struct joinmap *m);

/*
 * Insert KEY (hash HV) with VAL and LINE when absent: 1.  Present: 0, its
 * first line in *FIRST (0 without WITH_LINE), and with REPLACE its value
 * becomes VAL.  A KEYS_ONLY map takes no value (VN 0).
 */
int		 jm_put(struct joinmap *m, uint64_t hv, const void *key,
		    size_t kn, const void *val, size_t vn, uint64_t line,
		    int replace, uint64_t *first);

/* Bytes held: ids, slots and records. */
size_t		 jm_bytes(const struct joinmap *m);

/* Keys in the map. */
static inline size_t
jm_keys(const struct joinmap *m)
{
	return m->count + m->id_count;
}

/*
 * KEY is shaped as an id: two lowercase letters, then 7 digits or 8 not
 * starting with 0 (so no two such keys have one number); its number in *V.
 */
static inline int
jm_id_shape(const void *key, size_t n, uint64_t *v)
{
	const unsigned char *k = key;
	uint64_t x = 0;
	size_t i;

	if (n < 9 || n > 10 || (unsigned)(k[0] - 'a') > 25 ||
	    (unsigned)(k[1] - 'a') > 25 || (n == 10 && k[2] == '0'))
		return 0;
	for (i = 2; i < n; i++) {
		if ((unsigned)(k[i] - '0') > 9)
			return 0;
		x = x * 10 + (k[i] - '0');
	}
	*v = x;
	return 1;
}

/* KEY is one of the map's ids (number *V): it is looked up in the bits. */
static inline int
jm_id(const struct joinmap *m, const void *key, size_t n, uint64_t *v)
{
	return m->ids != NULL && jm_id_shape(key, n, v) &&
	    memcmp(key, m->id_prefix, 2) == 0;
}

/* The record at slot value S (nonzero). */
static inline const char *
jm_rec(const struct joinmap *m, uint64_t s)
{
	uint64_t off = (s & JM_OFF_MASK) - 1;

	return m->chunk[off >> JM_CHUNK_BITS] + (off & (JM_CHUNK - 1));
}

/*
 * Key and value lengths of record R (a key length of JM_HEX: 16 bytes of
 * hex digits); where its line (or key) starts.
 */
static inline const char *
jm_parse(const char *r, size_t *kn, size_t *vn)
{
	uint16_t s[2];
	uint32_t l[2];

	memcpy(s, r, 4);
	if (s[0] < JM_HEX_MARK) {
		*kn = s[0];
		*vn = s[1];
		return r + 4;
	}
	if (s[0] == JM_HEX_MARK) {
		*kn = JM_HEX;
		*vn = s[1];
		return r + 4;
	}
	memcpy(l, r + 4, 8);
	*kn = l[0];
	*vn = l[1];
	return r + 12;
}

/*
 * The 16 bytes of KEY, 32 lowercase hex digits, in OUT: 1.  Any other byte
 * (uppercase too: keys are compared as bytes): 0.
 */
int		 jm_hex_pack(const char *key, unsigned char out[16]);

/*
 * A record's key (K, KN as jm_parse gives it) equals KEY (N bytes; PK its
 * jm_hex_pack form, or NULL when it has none).
 */
static inline int
jm_key_eq(const char *k, size_t kn, const void *key, size_t n,
    const unsigned char *pk)
{
	if (kn == JM_HEX)
		return pk != NULL && memcmp(k, pk, 16) == 0;
	return kn == n && memcmp(k, key, n) == 0;
}

/* Bytes the key of length KN (as jm_parse gives it) takes in a record. */
static inline size_t
jm_key_bytes(size_t kn)
{
	return kn == JM_HEX ? 16 : kn;
}

/* KEY (N <= JM_SHORT bytes) as it sits in a slot. */
static inline struct jm_short
jm_short_of(const void *key, size_t n)
{
	unsigned char b[16] = { 0 };
	struct jm_short k;

	if (n > 0)
		memcpy(b, key, n);
	b[15] = (unsigned char)(n + 1);
	memcpy(&k, b, 16);
	return k;
}

/* A slot holds no short key (its length byte is 0). */
static inline int
jm_short_empty(const struct jm_short *s)
{
	return ((const unsigned char *)s)[15] == 0;
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

/*
 * Batched look-ups, stage 1: bring the home slot of KEY (N bytes, hash HV)
 * into the cache, and the 32 bytes after it: a probe goes on past its home
 * slot one time in two (the table is two thirds full), and from the second
 * half of a line that is the next line.  An id: its bits.
 */
static inline void
jm_prefetch_slot(const struct joinmap *m, uint64_t hv, const void *key,
    size_t n)
{
	const char *p;
	uint64_t id;

	if (jm_id(m, key, n, &id)) {
		if (id / 64 < m->id_words)
			jm_prefetch(&m->ids[id / 64]);
		return;
	}
	if (m->shorts != NULL)
		p = (const char *)&m->shorts[jm_home(hv, m->size)];
	else if (m->slots != NULL)
		p = (const char *)&m->slots[jm_home(hv, m->size)];
	else
		return;		/* ids only */
	jm_prefetch(p);
	jm_prefetch(p + 32);
}

/*
 * Stage 2: bring the record the home slot points to into the cache: the
 * 64 bytes from its start, which may straddle two lines (a 32-byte key with
 * a short value does two times in three).  Short keys have no record.
 */
static inline void
jm_prefetch_rec(const struct joinmap *m, uint64_t hv)
{
	uint64_t s;
	const char *r;

	if (m->shorts != NULL || m->slots == NULL)
		return;
	s = m->slots[jm_home(hv, m->size)];
	if (s != 0 && (s >> JM_OFF_BITS) == (hv >> JM_OFF_BITS)) {
		r = jm_rec(m, s);
		jm_prefetch(r);
		jm_prefetch(r + 63);
	}
}

/* A short key's look-up: nonzero when present. */
static inline int
jm_get_short(const struct joinmap *m, uint64_t hv, const void *key, size_t n)
{
	struct jm_short k, *s;
	size_t i = jm_home(hv, m->size);

	if (n > JM_SHORT)
		return 0;	/* every key is short while the map is */
	k = jm_short_of(key, n);
	for (s = &m->shorts[i]; !jm_short_empty(s);) {
		if (s->w[0] == k.w[0] && s->w[1] == k.w[1])
			return 1;
		if (++i == m->size)
			i = 0;
		s = &m->shorts[i];
	}
	return 0;
}

/*
 * Stage 3: the value of KEY (hash HV) and its length; NULL when absent (a
 * KEYS_ONLY map: "" and 0 when present).
 */
static inline const char *
jm_get(const struct joinmap *m, uint64_t hv, const void *key, size_t n,
    size_t *vn)
{
	uint64_t tag = hv >> JM_OFF_BITS, s;
	size_t i = jm_home(hv, m->size), kn;
	const unsigned char *pk = NULL;
	unsigned char packed[16];
	const char *r;
	uint64_t id;

	if (jm_id(m, key, n, &id)) {
		*vn = 0;
		return id / 64 < m->id_words &&
		    (m->ids[id / 64] >> (id % 64) & 1) ? "" : NULL;
	}
	if (m->shorts != NULL) {
		*vn = 0;
		return jm_get_short(m, hv, key, n) ? "" : NULL;
	}
	if (m->slots == NULL)
		return NULL;	/* ids only */
	if (n == 32 && m->hex_keys > 0 && jm_hex_pack(key, packed))
		pk = packed;
	while ((s = m->slots[i]) != 0) {
		if ((s >> JM_OFF_BITS) == tag) {
			r = jm_parse(jm_rec(m, s), &kn, vn);
			r += m->with_line ? 8 : 0;
			if (jm_key_eq(r, kn, key, n, pk))
				return r + jm_key_bytes(kn);
		}
		if (++i == m->size)
			i = 0;
	}
	return NULL;
}

#endif
