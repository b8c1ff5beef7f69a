/*
 * joinmap.c - key + value records for tsv-join's filter: open addressing
 * with linear probing over 8-byte slots, records appended to chunks that
 * are never moved or copied; or, for a keys-only map of short keys, over
 * 16-byte slots that hold the keys.  It never deletes and never shrinks.
 */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "bigbuf.h"
#include "joinmap.h"
#include "load64.h"
#include "msg.h"

#define MAX_LOAD_NUM	3	/* grow past 3/4 full */
#define MAX_LOAD_DEN	4
#define MIN_SLOTS	1024

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

#ifdef __SSE2__
/* 16 hex digits at P: their 8 bytes into OUT; 0 when one is not [0-9a-f]. */
static int
hex_pack16(const char *p, unsigned char *out)
{
	__m128i v = _mm_loadu_si128((const __m128i *)p);
	__m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
	__m128i a = _mm_sub_epi8(v, _mm_set1_epi8('a'));
	/* unsigned d <= 9, a <= 5: min(x, lim) == x */
	__m128i isd = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
	__m128i isa = _mm_cmpeq_epi8(_mm_min_epu8(a, _mm_set1_epi8(5)), a);
	__m128i nib, w;

	if (_mm_movemask_epi8(_mm_or_si128(isd, isa)) != 0xffff)
		return 0;
	nib = _mm_or_si128(_mm_and_si128(isd, d), _mm_andnot_si128(isd,
	    _mm_add_epi8(a, _mm_set1_epi8(10))));
	/* each 16-bit lane: first digit in its low byte, second in its high */
	w = _mm_or_si128(_mm_slli_epi16(_mm_and_si128(nib,
	    _mm_set1_epi16(0x00ff)), 4), _mm_srli_epi16(nib, 8));
	_mm_storel_epi64((__m128i *)out, _mm_packus_epi16(w, w));
	return 1;
}
#else
static int
hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	    c - 'a' + 10 : -1;
}

static int
hex_pack16(const char *p, unsigned char *out)
{
	int i, hi, lo;

	for (i = 0; i < 8; i++) {
		hi = hex_digit(p[2 * i]);
		lo = hex_digit(p[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return 0;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 1;
}
#endif

int
jm_hex_pack(const char *key, unsigned char out[16])
{
	return hex_pack16(key, out) && hex_pack16(key + 16, out + 8);
}

/* The 32 hex digits of a JM_HEX key K into OUT. */
static void
hex_unpack(const char *k, char out[32])
{
	static const char digit[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < 16; i++) {
		out[2 * i] = digit[(unsigned char)k[i] >> 4];
		out[2 * i + 1] = digit[(unsigned char)k[i] & 15];
	}
}

/*
 * SIZE zeroed slots of N bytes each, for probing at random: in huge pages
 * (bigbuf.h), which also spare the TLB misses.
 */
static void *
slot_array(size_t size, size_t n)
{
	return bigbuf_grow(NULL, 0, size * n);
}

void
jm_init(struct joinmap *m, size_t expected, int flags)
{
	/* Two thirds full with the keys expected. */
	size_t size = expected + expected / 2 + MIN_SLOTS;

	memset(m, 0, sizeof(*m));
	m->size = size;
	m->keys_only = (flags & JM_KEYS_ONLY) != 0;
	/* keys only: slots when a key that is not an id comes (table) */
	if (!m->keys_only)
		m->slots = slot_array(size, sizeof(*m->slots));
	m->with_line = (flags & JM_WITH_LINE) && !m->keys_only;
}

/*
 * The slots of a keys-only map, for its first key that is not an id: as
 * many as the keys expected, or a few when ids came first (the keys of a
 * column are mostly of one kind).  Short keys live in them.
 */
static void
table(struct joinmap *m, size_t kn)
{
	if (m->id_count > 0)
		m->size = MIN_SLOTS;
	if (kn <= JM_SHORT)
		m->shorts = slot_array(m->size, sizeof(*m->shorts));
	else
		m->slots = slot_array(m->size, sizeof(*m->slots));
}

/* jm_put of id number V: 1 when new. */
static int
put_id(struct joinmap *m, uint64_t v)
{
	size_t w = v / 64, n;

	if (w >= m->id_words) {
		n = m->id_words * 2 > w + 1 ? m->id_words * 2 : w + 1;
		if (n < 1024)
			n = 1024;
		m->ids = bigbuf_grow(m->ids, m->id_words * sizeof(*m->ids),
		    n * sizeof(*m->ids));
		m->id_words = n;
	}
	if (m->ids[w] >> (v % 64) & 1)
		return 0;
	m->ids[w] |= UINT64_C(1) << (v % 64);
	m->id_count++;
	return 1;
}

void
jm_free(struct joinmap *m)
{
	size_t i;

	for (i = 0; i < m->nblocks; i++)
		bigbuf_free(m->block[i], m->block_chunks[i] * JM_CHUNK);
	free(m->block);
	free(m->block_chunks);
	free(m->chunk);
	bigbuf_free(m->slots, m->size * sizeof(*m->slots));
	bigbuf_free(m->shorts, m->size * sizeof(*m->shorts));
	bigbuf_free(m->ids, m->id_words * sizeof(*m->ids));
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
		    sizeof(*m->block))) == NULL || (m->block_chunks =
		    realloc(m->block_chunks, m->chunks_cap *
		    sizeof(*m->block_chunks))) == NULL)
			die_sys("out of memory");
	}
	if ((uint64_t)(m->nchunks + k) << JM_CHUNK_BITS > JM_OFF_MASK)
		die(EXIT_DATA, "hash table full");
	/* Pages are touched only as records fill them; huge ones (bigbuf). */
	p = bigbuf_grow(NULL, 0, k * JM_CHUNK);
	m->block_chunks[m->nblocks] = k;
	m->block[m->nblocks++] = p;
	for (i = 0; i < k; i++)
		m->chunk[m->nchunks + i] = p + i * JM_CHUNK;
	m->used = (uint64_t)m->nchunks << JM_CHUNK_BITS;
	m->nchunks += k;
	m->end = (uint64_t)m->nchunks << JM_CHUNK_BITS;
	return m->used;
}

/*
 * Append a record; its slot value (without the tag).  A key of 32 hex
 * digits goes in as its 16 bytes (JM_HEX_MARK).
 */
static uint64_t
add_record(struct joinmap *m, const void *key, size_t kn, const void *val,
    size_t vn, uint64_t line)
{
	unsigned char packed[16];
	int small = kn < JM_HEX_MARK && vn < 0xffff;
	int hex = small && kn == 32 && jm_hex_pack(key, packed);
	size_t kb = hex ? 16 : kn;
	size_t head = (small ? 4 : 12) + (m->with_line ? 8 : 0);
	uint64_t off;
	uint16_t s[2];
	uint32_t l[2];
	char *r;

	if (kn > UINT32_MAX || vn > UINT32_MAX)
		die(EXIT_DATA, "a key or value longer than 4 GiB");
	off = reserve(m, head + kb + vn);
	r = m->chunk[off >> JM_CHUNK_BITS] + (off & (JM_CHUNK - 1));
	if (small) {
		s[0] = hex ? JM_HEX_MARK : kn;
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
	if (hex) {
		memcpy(r, packed, 16);
		m->hex_keys++;
	} else if (kn > 0)
		memcpy(r, key, kn);
	if (vn > 0)
		memcpy(r + kb, val, vn);
	m->used += head + kb + vn;
	m->rec_bytes += head + kb + vn;
	return off + 1;
}

/*
 * Put slot value S of key K (KN as jm_parse gives it) into SLOTS (SIZE of
 * them).
 */
static void
place(uint64_t *slots, size_t size, uint64_t s, const char *k, size_t kn)
{
	char digits[32];
	size_t j;

	if (kn == JM_HEX) {
		/* hashed as it came: 32 digits */
		hex_unpack(k, digits);
		k = digits;
		kn = 32;
	}
	for (j = jm_home(jm_hash(k, kn), size); slots[j] != 0;
	    j = j + 1 == size ? 0 : j + 1)
		;
	slots[j] = s;
}

/* Put short key K into SHORTS (SIZE of them). */
static void
place_short(struct jm_short *shorts, size_t size, const struct jm_short *k)
{
	size_t j, n = ((const unsigned char *)k)[15] - 1;

	for (j = jm_home(jm_hash(k, n), size); !jm_short_empty(&shorts[j]);
	    j = j + 1 == size ? 0 : j + 1)
		;
	shorts[j] = *k;
}

/* Double the slots; the hashes are recomputed from the keys. */
static void
grow(struct joinmap *m)
{
	size_t size = m->size * 2, i, kn, vn;
	struct jm_short *shorts;
	uint64_t *slots, s;
	const char *k;

	if (m->shorts != NULL) {
		shorts = slot_array(size, sizeof(*shorts));
		for (i = 0; i < m->size; i++)
			if (!jm_short_empty(&m->shorts[i]))
				place_short(shorts, size, &m->shorts[i]);
		bigbuf_free(m->shorts, m->size * sizeof(*m->shorts));
		m->shorts = shorts;
		m->size = size;
		return;
	}
	slots = slot_array(size, sizeof(*slots));
	for (i = 0; i < m->size; i++) {
		if ((s = m->slots[i]) == 0)
			continue;
		k = jm_parse(jm_rec(m, s), &kn, &vn) + (m->with_line ? 8 : 0);
		place(slots, size, s, k, kn);
	}
	bigbuf_free(m->slots, m->size * sizeof(*m->slots));
	m->slots = slots;
	m->size = size;
}

/*
 * A key longer than JM_SHORT came: every short key becomes a record (no
 * value, no line), in slot order, and the map goes on with records.
 */
static void
to_records(struct joinmap *m)
{
	uint64_t *slots = slot_array(m->size, sizeof(*slots));
	const struct jm_short *k;
	size_t i, n;
	uint64_t hv;

	for (i = 0; i < m->size; i++) {
		k = &m->shorts[i];
		if (jm_short_empty(k))
			continue;
		n = ((const unsigned char *)k)[15] - 1;
		hv = jm_hash(k, n);
		place(slots, m->size, (hv >> JM_OFF_BITS) << JM_OFF_BITS |
		    add_record(m, k, n, NULL, 0, 0), (const char *)k, n);
	}
	bigbuf_free(m->shorts, m->size * sizeof(*m->shorts));
	m->shorts = NULL;
	m->slots = slots;
}

/* jm_put for a keys-only map of short keys. */
static int
put_short(struct joinmap *m, uint64_t hv, const void *key, size_t kn)
{
	struct jm_short k = jm_short_of(key, kn), *s;
	size_t i = jm_home(hv, m->size);

	for (s = &m->shorts[i]; !jm_short_empty(s); s = &m->shorts[i]) {
		if (s->w[0] == k.w[0] && s->w[1] == k.w[1])
			return 0;
		if (++i == m->size)
			i = 0;
	}
	*s = k;
	m->count++;
	if (m->count * MAX_LOAD_DEN > m->size * MAX_LOAD_NUM)
		grow(m);
	return 1;
}

int
jm_put(struct joinmap *m, uint64_t hv, const void *key, size_t kn,
    const void *val, size_t vn, uint64_t line, int replace, uint64_t *first)
{
	uint64_t tag = hv >> JM_OFF_BITS, s;
	size_t i, n, on;
	const unsigned char *pk = NULL;
	unsigned char packed[16];
	const char *r, *k;
	uint64_t id;

	if (m->keys_only) {
		if (m->ids == NULL && jm_id_shape(key, kn, &id)) {
			/* the first id: its letters are the ids' */
			memcpy(m->id_prefix, key, 2);
			m->ids = bigbuf_grow(NULL, 0, sizeof(*m->ids));
			m->id_words = 1;
		}
		if (jm_id(m, key, kn, &id)) {
			*first = 0;
			return put_id(m, id);
		}
		if (m->shorts == NULL && m->slots == NULL)
			table(m, kn);
	}
	if (m->shorts != NULL) {
		*first = 0;
		if (kn <= JM_SHORT)
			return put_short(m, hv, key, kn);
		to_records(m);
	}
	if (kn == 32 && m->hex_keys > 0 && jm_hex_pack(key, packed))
		pk = packed;
	i = jm_home(hv, m->size);
	while ((s = m->slots[i]) != 0) {
		if ((s >> JM_OFF_BITS) == tag) {
			r = jm_parse(jm_rec(m, s), &n, &on);
			k = r + (m->with_line ? 8 : 0);
			if (jm_key_eq(k, n, key, kn, pk))
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
				memcpy((char *)k + jm_key_bytes(n), val, vn);
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

/* Bytes of the slots and records. */
static size_t
table_bytes(const struct joinmap *m)
{
	if (m->shorts != NULL)
		return m->size * sizeof(*m->shorts);
	if (m->slots != NULL)
		return m->size * sizeof(*m->slots) + m->rec_bytes;
	return 0;
}

size_t
jm_bytes(const struct joinmap *m)
{
	return table_bytes(m) + m->id_words * sizeof(*m->ids);
}
