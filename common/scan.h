/*
 * scan.h - byte-class bitmaps of a buffer, 64 bytes a word: where the field
 * separators (TAB, LF) are and which bytes are not digits.  The first stage
 * of a TSV scanner that checks rows in place instead of splitting them.
 * It knows nothing of rows or schemas.
 */
#ifndef P07_SCAN_H
#define P07_SCAN_H

#include <stddef.h>
#include <stdint.h>

struct scanmap {
	uint64_t	*sep;		/* bit i%64 of word i/64: byte i is TAB or LF */
	uint64_t	*nondigit;	/* ... byte i is not 0-9 */
	size_t		 cap;		/* words of each */
};

/*
 * Map P[0..N) (and nothing past it: sep bits past N are 0).  Returns the
 * offset of the first NUL byte, N when there is none.
 */
size_t	scan_map(struct scanmap *m, const char *p, size_t n);
void	scan_free(struct scanmap *m);
const char *scan_impl(void);	/* "avx512bw", "avx2", "sse2" or "c" */

/* 1 when the bytes [A, B) of the last mapped buffer are all digits (or A == B). */
static inline __attribute__((always_inline)) int
scan_digits(const struct scanmap *m, size_t a, size_t b)
{
	uint64_t bits;
	size_t k;

	while (a < b) {
		k = 64 - (a & 63);
		bits = m->nondigit[a >> 6] >> (a & 63);
		if (b - a < k) {
			bits &= (UINT64_C(1) << (b - a)) - 1;
			k = b - a;
		}
		if (bits != 0)
			return 0;
		a += k;
	}
	return 1;
}

#endif
