/*
 * scan.c - the byte-class bitmaps of scan.h, 64 bytes at a time: AVX-512BW,
 * AVX2 or SSE2 picked once at run time on x86-64, plain C elsewhere.  It
 * only classifies bytes; what a row or a field is stays with the caller.
 */
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define SCAN_X86	1
#endif

#include "msg.h"
#include "scan.h"

typedef int	(*map_fn)(const char *, size_t, uint64_t *, uint64_t *);

/* Each maps NW words and returns 1 when a NUL byte is among the bytes read. */
static int
map_c(const char *p, size_t nw, uint64_t *sep, uint64_t *nd)
{
	uint64_t s, d, bit;
	size_t w, i;
	unsigned char c;
	int nul = 0;

	for (w = 0; w < nw; w++, p += 64) {
		s = d = 0;
		for (i = 0, bit = 1; i < 64; i++, bit <<= 1) {
			c = p[i];
			if (c == '\t' || c == '\n')
				s |= bit;
			if ((unsigned char)(c - '0') > 9)
				d |= bit;
			nul |= c == '\0';
		}
		sep[w] = s;
		nd[w] = d;
	}
	return nul;
}

#ifdef SCAN_X86
static int
map_sse2(const char *p, size_t nw, uint64_t *sep, uint64_t *nd)
{
	const __m128i tab = _mm_set1_epi8('\t'), lf = _mm_set1_epi8('\n');
	const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
	__m128i x, d, nul = _mm_setzero_si128();
	uint64_t s, g;
	size_t w;
	int i;

	for (w = 0; w < nw; w++, p += 64) {
		s = g = 0;
		for (i = 0; i < 4; i++) {
			x = _mm_loadu_si128((const __m128i *)(p + 16 * i));
			s |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_or_si128(
			    _mm_cmpeq_epi8(x, tab), _mm_cmpeq_epi8(x, lf))) <<
			    (16 * i);
			d = _mm_sub_epi8(x, zero);
			g |= (uint64_t)(uint16_t)_mm_movemask_epi8(
			    _mm_cmpeq_epi8(_mm_min_epu8(d, nine), d)) << (16 * i);
			nul = _mm_or_si128(nul, _mm_cmpeq_epi8(x,
			    _mm_setzero_si128()));
		}
		sep[w] = s;
		nd[w] = ~g;
	}
	return _mm_movemask_epi8(nul) != 0;
}

__attribute__((target("avx2"))) static int
map_avx2(const char *p, size_t nw, uint64_t *sep, uint64_t *nd)
{
	const __m256i tab = _mm256_set1_epi8('\t'), lf = _mm256_set1_epi8('\n');
	const __m256i zero = _mm256_set1_epi8('0'), nine = _mm256_set1_epi8(9);
	__m256i a, b, da, db, nul = _mm256_set1_epi8(-1);
	size_t w;

	for (w = 0; w < nw; w++, p += 64) {
		a = _mm256_loadu_si256((const __m256i *)p);
		b = _mm256_loadu_si256((const __m256i *)(p + 32));
		sep[w] = (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(
		    _mm256_cmpeq_epi8(a, tab), _mm256_cmpeq_epi8(a, lf))) |
		    (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_or_si256(
		    _mm256_cmpeq_epi8(b, tab), _mm256_cmpeq_epi8(b, lf))) << 32;
		da = _mm256_sub_epi8(a, zero);
		db = _mm256_sub_epi8(b, zero);
		nd[w] = ~((uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(
		    _mm256_min_epu8(da, nine), da)) |
		    (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(
		    _mm256_min_epu8(db, nine), db)) << 32);
		nul = _mm256_min_epu8(nul, _mm256_min_epu8(a, b));
	}
	/* A lane of the running minimum is 0 once a NUL passed through it. */
	return _mm256_movemask_epi8(_mm256_cmpeq_epi8(nul,
	    _mm256_setzero_si256())) != 0 ? 1 : 0;
}

__attribute__((target("avx512bw"))) static int
map_avx512(const char *p, size_t nw, uint64_t *sep, uint64_t *nd)
{
	const __m512i tab = _mm512_set1_epi8('\t'), lf = _mm512_set1_epi8('\n');
	const __m512i zero = _mm512_set1_epi8('0'), nine = _mm512_set1_epi8(9);
	__mmask64 nul = 0;
	__m512i x;
	size_t w;

	for (w = 0; w < nw; w++, p += 64) {
		x = _mm512_loadu_si512((const void *)p);
		sep[w] = _mm512_cmpeq_epi8_mask(x, tab) |
		    _mm512_cmpeq_epi8_mask(x, lf);
		nd[w] = _mm512_cmpgt_epu8_mask(_mm512_sub_epi8(x, zero), nine);
		nul |= _mm512_testn_epi8_mask(x, x);
	}
	return nul != 0;
}
#endif

/*
 * The widest the CPU has.  P07_SCAN=c|sse2|avx2 asks for a narrower one, so
 * the tests can hold every implementation to the same output.
 */
static map_fn
pick(const char **name)
{
	const char *want = getenv("P07_SCAN");

	if (want != NULL && strcmp(want, "c") == 0) {
		*name = "c";
		return map_c;
	}
#ifdef SCAN_X86
	if (want != NULL && strcmp(want, "sse2") == 0) {
		*name = "sse2";
		return map_sse2;
	}
	__builtin_cpu_init();
	if (want != NULL && strcmp(want, "avx2") == 0 &&
	    __builtin_cpu_supports("avx2")) {
		*name = "avx2";
		return map_avx2;
	}
	if (__builtin_cpu_supports("avx512bw")) {
		*name = "avx512bw";
		return map_avx512;
	}
	if (__builtin_cpu_supports("avx2")) {
		*name = "avx2";
		return map_avx2;
	}
	*name = "sse2";
	return map_sse2;
#else
	*name = "c";
	return map_c;
#endif
}

static map_fn		 impl;
static const char	*impl_name;

const char *
scan_impl(void)
{
	if (impl == NULL)
		impl = pick(&impl_name);
	return impl_name;
}

size_t
scan_map(struct scanmap *m, const char *p, size_t n)
{
	size_t nw = (n + 63) / 64;
	const char *z;
	char tail[64];
	int nul;

	if (impl == NULL)
		impl = pick(&impl_name);
	if (nw > m->cap) {
		free(m->sep);
		free(m->nondigit);
		m->cap = nw;
		if ((m->sep = malloc(nw * sizeof(*m->sep))) == NULL ||
		    (m->nondigit = malloc(nw * sizeof(*m->nondigit))) == NULL)
			die_sys("out of memory");
	}
	if (nw == 0)
		return 0;
	nul = n >= 64 ? impl(p, n / 64, m->sep, m->nondigit) : 0;
	if (n % 64 != 0) {
		/* The last part word from a copy: nothing past N is read. */
		memset(tail, 'x', sizeof(tail));
		memcpy(tail, p + n / 64 * 64, n % 64);
		nul |= impl(tail, 1, m->sep + nw - 1, m->nondigit + nw - 1);
	}
	if (nul && (z = memchr(p, '\0', n)) != NULL)
		return z - p;
	return n;
}

void
scan_free(struct scanmap *m)
{
	free(m->sep);
	free(m->nondigit);
	memset(m, 0, sizeof(*m));
}
