/*
 * joinmap.c - key + value records for tsv-join's filter: open addressing
 * with linear probing over 8-byte slots, records appended to chunks that
 * are never moved or copied.  It never deletes and never shrinks.
 */
#include <stdlib.h>
#include <string.h>

#include "hugepage.h"
#include "joinmap.h"
#include "msg.h"

#define MAX_LOAD_NUM	3	/* grow past 3/4 full */
#define MAX_LOAD_DEN	4
#define MIN_SLOTS	1024

static uint64_t
load64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static uint64_t
load32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* Multiply to 128 bits and fold: every input bit reaches every output bit. */
static inline uint64_t
fold_mul(uint64_t a, uint64_t b)
{
	unsigned __int128 r = (unsigned __int128)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/*
 * 16 bytes per multiply, the tail read as two overlapping words, so a key
 * of up to 16 bytes costs two multiplies (hash_bytes of hashmap.c spends
 * two per 8 bytes and two more to finish).  In a loop over one key: 11 ns
 * against 26 on a 32-byte MD5 key, 6 against 20 on a 10-byte tconst.
 */
uint64_t
jm_hash(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t seed = UINT64_C(0x243f6a8885a308d3) ^ n, a, b;
	size_t left = n;

	while (left > 16) {
		seed = fold_mul(load64(p) ^ UINT64_C(0xa0761d6478bd642f),
		    load64(p + 8) ^ seed);
		p += 16;
		left -= 16;
	}
	if (left >= 8) {
		a = load64(p);
		b = load64(p + left - 8);
	} else if (left >= 4) {
		a = load32(p);
		b = load32(p + left - 4);
	} else if (left > 0) {
		a = (uint64_t)p[0] << 16 | (uint64_t)p[left / 2] << 8 |
		    p[left - 1];
		b = 0;
	} else
		a = b = 0;
	return fold_mul(fold_mul(a ^ UINT64_C(0xe7037ed1a0b428db),
	    b ^ seed) ^ n, UINT64_C(0x8ebc6af09c88c6e3));
}

void
jm_init(struct joinmap *m, size_t expected, int with_line)
{
	/* Two thirds full with the keys expected. */
	size_t size = expected + expected / 2 + MIN_SLOTS;

	memset(m, 0, sizeof(*m));
	if ((m->slots = calloc(size, sizeof(*m->slots))) == NULL)
		die_sys("out of memory");
	/* Every probe lands at random: 2 MiB pages spare the TLB misses. */
	hugepage_advise(m->slots, size * sizeof(*m->slots));
	m->size = size;
	m->with_line = with_line;
}

void
jm_free(struct joinmap *m)
{
	size_t i;

	for (i = 0; i < m->nblocks; i++)
		free(m->block[i]);
	free(m->block);
	free(m->chunk);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/*
 * Room for a record of N bytes: the offset where it goes.  A record never
 * straddles two chunks; one longer than a chunk gets consecutive chunk
 * numbers that all point into one block.
 */
static uint64_t
reserve(struct joinmap *m, size_t n)
{
	size_t k, i;
	char *p;

	if (m->end - m->used >= n)
		return m->used;
	k = (n + JM_CHUNK - 1) / JM_CHUNK;
	if (m->nchunks + k > m->chunks_cap) {
		m->chunks_cap = m->chunks_cap ? m->chunks_cap * 2 : 16;
		while (m->chunks_cap < m->nchunks + k)
			m->chunks_cap *= 2;
		if ((m->chunk = realloc(m->chunk, m->chunks_cap *
		    sizeof(*m->chunk))) == NULL ||
		    (m->block = realloc(m->block, m->chunks_cap *
		    sizeof(*m->block))) == NULL)
			die_sys("out of memory");
	}
	if ((uint64_t)(m->nchunks + k) << JM_CHUNK_BITS > JM_OFF_MASK)
		die(EXIT_DATA, "hash table full");
	/* Pages are touched only as records fill them. */
	if ((p = malloc(k * JM_CHUNK)) == NULL)
		die_sys("out of memory");
	hugepage_advise(p, k * JM_CHUNK);
	m->block[m->nblocks++] = p;
	for (i = 0; i < k; i++)
		m->chunk[m->nchunks + i] = p + i * JM_CHUNK;
	m->used = (uint64_t)m->nchunks << JM_CHUNK_BITS;
	m->nchunks += k;
	m->end = (uint64_t)m->nchunks << JM_CHUNK_BITS;
	return m->used;
}

/* Append a record; its slot value (without the tag). */
static uint64_t
add_record(struct joinmap *m, const void *key, size_t kn, const void *val,
    size_t vn, uint64_t line)
{
	size_t head = (kn < 0xffff && vn < 0xffff ? 4 : 12) +
	    (m->with_line ? 8 : 0);
	uint64_t off;
	uint16_t s[2];
	uint32_t l[2];
	char *r;

	if (kn > UINT32_MAX || vn > UINT32_MAX)
		die(EXIT_DATA, "a key or value longer than 4 GiB");
	off = reserve(m, head + kn + vn);
	r = m->chunk[off >> JM_CHUNK_BITS] + (off & (JM_CHUNK - 1));
	if (kn < 0xffff && vn < 0xffff) {
		s[0] = kn;
		s[1] = vn;
		memcpy(r, s, 4);
		r += 4;
	} else {
		s[0] = s[1] = 0xffff;
		l[0] = kn;
		l[1] = vn;
		memcpy(r, s, 4);
		memcpy(r + 4, l, 8);
		r += 12;
	}
	if (m->with_line) {
		memcpy(r, &line, 8);
		r += 8;
	}
	if (kn > 0)
		memcpy(r, key, kn);
	if (vn > 0)
		memcpy(r + kn, val, vn);
	m->used += head + kn + vn;
	m->rec_bytes += head + kn + vn;
	return off + 1;
}

/* Double the slots; the hashes are recomputed from the records' keys. */
static void
grow(struct joinmap *m)
{
	size_t size = m->size * 2, i, j, kn, vn;
	uint64_t *slots, s, hv;
	const char *k;

	if ((slots = calloc(size, sizeof(*slots))) == NULL)
		die_sys("out of memory");
	hugepage_advise(slots, size * sizeof(*slots));
	for (i = 0; i < m->size; i++) {
		if ((s = m->slots[i]) == 0)
			continue;
		k = jm_parse(jm_rec(m, s), &kn, &vn) + (m->with_line ? 8 : 0);
		hv = jm_hash(k, kn);
		for (j = jm_home(hv, size);
		    slots[j] != 0; j = j + 1 == size ? 0 : j + 1)
			;
		slots[j] = s;
	}
	free(m->slots);
	m->slots = slots;
	m->size = size;
}

int
jm_put(struct joinmap *m, uint64_t hv, const void *key, size_t kn,
    const void *val, size_t vn, uint64_t line, int replace, uint64_t *first)
{
	uint64_t tag = hv >> JM_OFF_BITS, s;
	size_t i = jm_home(hv, m->size), n, on;
	const char *r, *k;

	while ((s = m->slots[i]) != 0) {
		if ((s >> JM_OFF_BITS) == tag) {
			r = jm_parse(jm_rec(m, s), &n, &on);
			k = r + (m->with_line ? 8 : 0);
			if (n == kn && memcmp(k, key, kn) == 0)
				break;
		}
		if (++i == m->size)
			i = 0;
	}
	if (s != 0) {
		*first = 0;
		if (m->with_line)
			memcpy(first, r, 8);
		if (!replace)
			return 0;
		if (on == vn) {
			/* Same length: overwrite in place. */
			if (vn > 0)
				memcpy((char *)k + kn, val, vn);
			return 0;
		}
		/* Another length: a new record; the old one is dead space. */
		m->slots[i] = tag << JM_OFF_BITS |
		    add_record(m, key, kn, val, vn, *first);
		return 0;
	}
	m->slots[i] = tag << JM_OFF_BITS | add_record(m, key, kn, val, vn, line);
	m->count++;
	if (m->count * MAX_LOAD_DEN > m->size * MAX_LOAD_NUM)
		grow(m);
	return 1;
}

size_t
jm_bytes(const struct joinmap *m)
{
	return m->size * sizeof(*m->slots) + m->rec_bytes;
}
