/*
 * keyset.c - fixed-width key set (see keyset.h).  The 16-byte slot holds
 * the key itself, so a look-up is one cache line in the common case and
 * 15 M MD5 keys take 16 bytes each plus the empty slots.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bigbuf.h"
#include "keyset.h"
#include "msg.h"

#define SLOT		16
#define SHORT_MAX	15	/* byte 15 holds the length + 1 */
#define MIN_SLOTS	64
#define KS_AHEAD	32	/* keys prefetched in a row */

/*
 * Hex digit values plus one; 0 for anything but 0-9 a-f (uppercase is not
 * ours).  A constant: the threads of a tool share it.
 */
static const unsigned char hexval1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16
};

/* KEY as 16 binary bytes when it is 32 lowercase hex digits. */
static int
hex_decode(const unsigned char *p, size_t n, unsigned char *out)
{
	unsigned bad = 0, hi, lo;
	size_t i;

	if (n != 32)
		return 0;
	for (i = 0; i < 16; i++) {
		/* not a digit: 0 - 1 wraps to all ones */
		hi = (unsigned)hexval1[p[2 * i]] - 1;
		lo = (unsigned)hexval1[p[2 * i + 1]] - 1;
		bad |= hi | lo;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return (bad & ~0xfu) == 0;
}

static void
hex_encode16(const unsigned char *k, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < 16; i++) {
		out[2 * i] = digits[k[i] >> 4];
		out[2 * i + 1] = digits[k[i] & 15];
	}
}

static void
short_encode(const unsigned char *p, size_t n, unsigned char *out)
{
	memset(out, 0, SLOT);
	if (n > 0)
		memcpy(out, p, n);
	out[SLOT - 1] = (unsigned char)(n + 1);
}

/* Encode KEY in MODE; 0 when it has no form there. */
static int
encode(enum kset_mode mode, const void *key, size_t n, unsigned char *out)
{
	if (mode == KS_HEX)
		return hex_decode(key, n, out);
	if (mode == KS_SHORT && n <= SHORT_MAX) {
		short_encode(key, n, out);
		return 1;
	}
	return 0;
}

static uint64_t
hash16(const unsigned char *k)
{
	uint64_t a, b;

	memcpy(&a, k, 8);
	memcpy(&b, k + 8, 8);
	/* The keys may be chosen to collide in a few bits: mix them all. */
	a ^= b * UINT64_C(0x9e3779b97f4a7c15);
	a ^= a >> 32;
	a *= UINT64_C(0xd6e8feb86659fd93);
	a ^= a >> 32;
	a *= UINT64_C(0xd6e8feb86659fd93);
	a ^= a >> 32;
	return a;
}

static int
is_zero(const unsigned char *k)
{
	static const unsigned char zero[SLOT];

	return memcmp(k, zero, SLOT) == 0;
}

/* Zeroed slots for probing at random, in huge pages (bigbuf.h says why). */
static unsigned char *
alloc_slots(size_t nslots)
{
	return bigbuf_grow(NULL, 0, nslots * SLOT);
}

static void
free_slots(const struct keyset *ks)
{
	if (ks->slots != NULL)
		bigbuf_free(ks->slots, (ks->mask + 1) * SLOT);
}

static size_t
slots_for(size_t expected)
{
	size_t size = MIN_SLOTS;

	while (size / 5 * 4 < expected)
		size *= 2;
	return size;
}

void
kset_init(struct keyset *ks, size_t expected)
{
	memset(ks, 0, sizeof(*ks));
	ks->expected = expected;
}

void
kset_free(struct keyset *ks)
{
	free_slots(ks);
	if (ks->mode == KS_BYTES)
		hmap_free(&ks->h);
	memset(ks, 0, sizeof(*ks));
}

size_t
kset_count(const struct keyset *ks)
{
	return ks->mode == KS_BYTES ? ks->h.count : ks->count +
	    (size_t)ks->has_zero;
}

size_t
kset_bytes(const struct keyset *ks)
{
	if (ks->mode == KS_BYTES)
		return hmap_bytes(&ks->h);
	return ks->slots == NULL ? 0 : (ks->mask + 1) * SLOT;
}

/* Insert encoded K (not zero, not present) without growing. */
static void
place(unsigned char *slots, size_t mask, const unsigned char *k, uint64_t hv)
{
	size_t i = hv & mask;

	while (!is_zero(slots + i * SLOT))
		i = (i + 1) & mask;
	memcpy(slots + i * SLOT, k, SLOT);
}

/*
 * One set is resized at a time in the process: the sets of two threads
 * fill up together (two unique keys of a table, one per thread), and each
 * holds its old and its new table while it rehashes; one after the other,
 * the peak is one set's old and new table, not two.
 */
static pthread_mutex_t resize_lock = PTHREAD_MUTEX_INITIALIZER;

/* Place the keys K[0..N) (hashes HV) into SLOTS. */
static void
place_batch(unsigned char *slots, size_t mask, const unsigned char **k,
    const uint64_t *hv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		place(slots, mask, k[i], hv[i]);
}

/*
 * Rehash into SIZE slots.  Every key lands on a random slot: KS_AHEAD keys
 * hashed and their slots prefetched in a row, placed while the next batch
 * is fetched (keyset.h: prefetches one by one would each wait).
 */
static void
resize(struct keyset *ks, size_t size)
{
	const unsigned char *k[2][KS_AHEAD];
	uint64_t hv[2][KS_AHEAD];
	unsigned char *slots;
	size_t i, n = 0, prev = 0;
	int cur = 0;

	pthread_mutex_lock(&resize_lock);
	slots = alloc_slots(size);
	for (i = 0; i <= ks->mask; i++) {
		if (is_zero(ks->slots + i * SLOT))
			continue;
		k[cur][n] = ks->slots + i * SLOT;
		hv[cur][n] = hash16(k[cur][n]);
		if (++n < KS_AHEAD)
			continue;
		for (n = 0; n < KS_AHEAD; n++)
			__builtin_prefetch(slots + (hv[cur][n] & (size - 1)) *
			    SLOT, 1);
		place_batch(slots, size - 1, k[!cur], hv[!cur], prev);
		prev = KS_AHEAD;
		n = 0;
		cur = !cur;
	}
	place_batch(slots, size - 1, k[!cur], hv[!cur], prev);
	place_batch(slots, size - 1, k[cur], hv[cur], n);
	free_slots(ks);
	ks->slots = slots;
	ks->mask = size - 1;
	pthread_mutex_unlock(&resize_lock);
}

static void
grow(struct keyset *ks)
{
	resize(ks, (ks->mask + 1) * 2);
}

void
kset_reserve(struct keyset *ks, size_t n)
{
	if (ks->mode == KS_EMPTY) {
		if (n > ks->expected)
			ks->expected = n;
	} else if (ks->mode != KS_BYTES && slots_for(n) > ks->mask + 1)
		resize(ks, slots_for(n));
}

/* Move every key into a hashmap: a key came that the slots cannot hold. */
static void
to_bytes(struct keyset *ks)
{
	char text[32];
	size_t i, n;
	unsigned char *k;
	int isnew;

	hmap_init(&ks->h, kset_count(ks) > ks->expected ? kset_count(ks) :
	    ks->expected);
	if (ks->has_zero)
		hmap_insert(&ks->h, "00000000000000000000000000000000", 32,
		    &isnew);
	for (i = 0; ks->slots != NULL && i <= ks->mask; i++) {
		k = ks->slots + i * SLOT;
		if (is_zero(k))
			continue;
		if (ks->mode == KS_HEX) {
			hex_encode16(k, text);
			hmap_insert(&ks->h, text, 32, &isnew);
		} else {
			n = (size_t)k[SLOT - 1] - 1;
			hmap_insert(&ks->h, k, n, &isnew);
		}
	}
	free_slots(ks);
	ks->slots = NULL;
	ks->mask = 0;
	ks->count = 0;
	ks->has_zero = 0;
	ks->mode = KS_BYTES;
}

/* The first key chooses how the set stores its keys. */
static void
choose_mode(struct keyset *ks, const void *key, size_t n)
{
	unsigned char k[SLOT];

	if (hex_decode(key, n, k))
		ks->mode = KS_HEX;
	else if (n <= SHORT_MAX)
		ks->mode = KS_SHORT;
	else {
		ks->mode = KS_BYTES;
		hmap_init(&ks->h, ks->expected);
		return;
	}
	ks->slots = alloc_slots(slots_for(ks->expected));
	ks->mask = slots_for(ks->expected) - 1;
}

static int
find_encoded(const struct keyset *ks, const unsigned char *k, uint64_t hv)
{
	size_t i = hv & ks->mask;
	const unsigned char *s;

	for (;; i = (i + 1) & ks->mask) {
		s = ks->slots + i * SLOT;
		if (memcmp(s, k, SLOT) == 0)
			return 1;
		if (is_zero(s))
			return 0;
	}
}

int
kset_insert_encoded(struct keyset *ks, const struct kprobe *p)
{
	size_t i;
	unsigned char *s;

	if (is_zero(p->k)) {
		if (ks->has_zero)
			return 0;
		return ks->has_zero = 1;
	}
	for (i = p->hv & ks->mask;; i = (i + 1) & ks->mask) {
		s = ks->slots + i * SLOT;
		if (memcmp(s, p->k, SLOT) == 0)
			return 0;
		if (is_zero(s))
			break;
	}
	memcpy(s, p->k, SLOT);
	if (++ks->count > (ks->mask + 1) / 5 * 4)
		grow(ks);
	return 1;
}

int
kset_encode(struct keyset *ks, const void *key, size_t n, struct kprobe *p)
{
	if (ks->mode == KS_EMPTY)
		choose_mode(ks, key, n);
	if (ks->mode == KS_BYTES || !encode(ks->mode, key, n, p->k))
		return 0;
	p->hv = hash16(p->k);
	p->state = KP_PENDING;
	return 1;
}

int
kset_insert(struct keyset *ks, const void *key, size_t n)
{
	struct kprobe p;
	int isnew;

	if (kset_encode(ks, key, n, &p))
		return kset_insert_encoded(ks, &p);
	if (ks->mode != KS_BYTES)
		to_bytes(ks);
	hmap_insert(&ks->h, key, n, &isnew);
	return isnew;
}

void
kset_prepare(const struct keyset *ks, const void *key, size_t n,
    struct kprobe *p)
{
	switch (ks->mode) {
	case KS_EMPTY:
		p->state = KP_NO;
		return;
	case KS_BYTES:
		p->state = hmap_find(&ks->h, key, n) != HMAP_NONE ? KP_YES :
		    KP_NO;
		return;
	default:
		break;
	}
	/* Every key in the set has this form: one without it is not in. */
	if (!encode(ks->mode, key, n, p->k)) {
		p->state = KP_NO;
		return;
	}
	if (is_zero(p->k)) {
		p->state = ks->has_zero ? KP_YES : KP_NO;
		return;
	}
	p->hv = hash16(p->k);
	p->state = KP_PENDING;
}

int
kset_finish(const struct keyset *ks, const struct kprobe *p)
{
	if (p->state != KP_PENDING)
		return p->state == KP_YES;
	return find_encoded(ks, p->k, p->hv);
}

int
kset_contains(const struct keyset *ks, const void *key, size_t n)
{
	struct kprobe p;

	kset_prepare(ks, key, n, &p);
	return kset_finish(ks, &p);
}

/*
 * KEY (slot I of A's fixed-width slots) as the bytes it was made from, for a
 * set that stores keys another way.
 */
static size_t
slot_text(const struct keyset *a, const unsigned char *k, char *text)
{
	size_t n;

	if (a->mode == KS_HEX) {
		hex_encode16(k, text);
		return 32;
	}
	n = (size_t)k[SLOT - 1] - 1;
	memcpy(text, k, n);
	return n;
}

/* Some of the keys K[0..N) (hashes HV, B's slots) is in B. */
static int
any_in(const struct keyset *b, const unsigned char **k, const uint64_t *hv,
    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (find_encoded(b, k[i], hv[i]))
			return 1;
	return 0;
}

/*
 * Some key of A (fixed-width slots) is in B: batches of KS_AHEAD keys,
 * each prefetched in a row while the batch before is looked up (as resize).
 */
static int
slots_in(const struct keyset *a, const struct keyset *b)
{
	const unsigned char *k[2][KS_AHEAD], *key;
	uint64_t hv[2][KS_AHEAD];
	char text[32];
	size_t i, n = 0, prev = 0;
	int cur = 0;

	if (a->has_zero && kset_contains(b, "00000000000000000000000000000000",
	    32))
		return 1;
	for (i = 0; i <= a->mask; i++) {
		key = a->slots + i * SLOT;
		if (is_zero(key))
			continue;
		if (a->mode != b->mode) {	/* rare: one set went to bytes */
			if (kset_contains(b, text, slot_text(a, key, text)))
				return 1;
			continue;
		}
		k[cur][n] = key;
		hv[cur][n] = hash16(key);
		if (++n < KS_AHEAD)
			continue;
		for (n = 0; n < KS_AHEAD; n++)
			__builtin_prefetch(b->slots + (hv[cur][n] & b->mask) *
			    SLOT);
		if (any_in(b, k[!cur], hv[!cur], prev))
			return 1;
		prev = KS_AHEAD;
		n = 0;
		cur = !cur;
	}
	return any_in(b, k[!cur], hv[!cur], prev) ||
	    any_in(b, k[cur], hv[cur], n);
}

int
kset_intersects(const struct keyset *a, const struct keyset *b)
{
	const char *k;
	size_t n;
	uint32_t id;

	if (kset_count(a) > kset_count(b)) {	/* walk the smaller one */
		const struct keyset *t = a;

		a = b;
		b = t;
	}
	if (kset_count(a) == 0 || kset_count(b) == 0)
		return 0;
	if (a->mode != KS_BYTES)
		return slots_in(a, b);
	for (id = 0; id < a->h.count; id++) {
		k = hmap_key(&a->h, id, &n);
		if (kset_contains(b, k, n))
			return 1;
	}
	return 0;
}
