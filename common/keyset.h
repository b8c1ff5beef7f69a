/*
 * keyset.h - a set of byte-string keys for the big key checks (unique, fk,
 * group keys): open addressing over fixed 16-byte slots, no record per key.
 *
 * The set picks its representation from the first key and keeps it while
 * the keys fit:
 *   KS_HEX    every key is 32 lowercase hex digits (an MD5 key of the star
 *             schema), stored as its 16 binary bytes — exact, and half the
 *             size of the text;
 *   KS_SHORT  every key is at most 15 bytes (tt0000001, nm0000001, 1994),
 *             stored as the bytes, zero padding and the length;
 *   KS_BYTES  anything else: a struct hashmap (hashmap.h).
 * A key that does not fit moves every key into a hashmap once (the keys
 * are decoded exactly), so a mixed column is slower, never wrong.
 *
 * Slots are 16 bytes, linear probing, at most 4/5 full.  Look-ups and
 * inserts can be batched: encode a key, prefetch its slot, answer later,
 * so that a batch overlaps its cache misses.
 */
#ifndef P07_KEYSET_H
#define P07_KEYSET_H

#include <stddef.h>
#include <stdint.h>

#include "hashmap.h"

enum kset_mode { KS_EMPTY, KS_HEX, KS_SHORT, KS_BYTES };

struct keyset {
	enum kset_mode	 mode;
	unsigned char	*slots;		/* (mask + 1) * 16 bytes, 0 = empty */
	size_t		 mask;
	size_t		 count;		/* keys in slots */
	int		 has_zero;	/* KS_HEX: the all-zero key is in */
	size_t		 expected;
	struct hashmap	 h;		/* KS_BYTES */
};

/* One look-up in flight (kset_prepare, then kset_finish). */
struct kprobe {
	unsigned char	 k[16];
	uint64_t	 hv;
	int		 state;		/* KP_NO, KP_YES or KP_PENDING */
};
enum { KP_NO, KP_YES, KP_PENDING };

void	kset_init(struct keyset *ks, size_t expected);
void	kset_free(struct keyset *ks);
/* 1 when KEY was not in the set (it is now). */
int	kset_insert(struct keyset *ks, const void *key, size_t n);
int	kset_contains(const struct keyset *ks, const void *key, size_t n);
size_t	kset_count(const struct keyset *ks);
size_t	kset_bytes(const struct keyset *ks);	/* memory held */
/*
 * Room for N keys: a caller that can tell how many are coming spares the
 * rehashes on the way, and the peak of holding two tables in each.
 */
void	kset_reserve(struct keyset *ks, size_t n);
/* 1 when some key is in both sets. */
int	kset_intersects(const struct keyset *a, const struct keyset *b);

/*
 * Batched look-up: kset_prepare answers at once when it can (P->state
 * KP_NO or KP_YES), else encodes and hashes KEY (KP_PENDING); then
 * kset_prefetch brings its slot in and kset_finish answers.  The set must
 * not change in between.  Prefetch a batch of keys back to back, well
 * before their answers: here (a virtual machine) a prefetch issued among
 * other work waits for its own page walk, 160-190 ns a look-up, against
 * 30-80 ns for prefetches in a row.
 */
void	kset_prepare(const struct keyset *ks, const void *key, size_t n,
	    struct kprobe *p);
int	kset_finish(const struct keyset *ks, const struct kprobe *p);

/*
 * A macro, not an inline function: GCC takes a function whose only effect
 * is __builtin_prefetch for one without effects and drops its calls.
 */
#define kset_prefetch(ks, p)						\
	do {								\
		if ((p)->state == KP_PENDING)				\
			__builtin_prefetch((ks)->slots +		\
			    ((p)->hv & (ks)->mask) * 16);		\
	} while (0)

/*
 * Batched insert: kset_encode is 1 when KEY fits the set's slots as they
 * are (the first key chooses the mode), with P encoded and hashed (prefetch
 * it with kset_prefetch); kset_insert_encoded inserts it later (in the
 * same order as the keys came, to keep "first seen" exact).  When it is 0,
 * call kset_insert.
 */
int	kset_encode(struct keyset *ks, const void *key, size_t n,
	    struct kprobe *p);
int	kset_insert_encoded(struct keyset *ks, const struct kprobe *p);

#endif
