/*
 * md5x.c - multi-lane MD5 of independent one-block messages (surrogate keys
 * are short: tconst, nconst, tconst-valid_from).  Lanes are blocks, not parts
 * of one message, so it never speeds up hashing one long input.
 *
 * Why: one scalar MD5 block costs about 110 ns here; 16 lanes of AVX-512
 * (vprold, vpternlogd) hash 16 blocks in about the time of two or three scalar
 * ones.  The 64 steps are written once (MD5_STEPS) and expanded per engine.
 * Engines are compiled with target attributes and picked by cpuid at run
 * time, so the build needs no -m flags and runs on any x86-64 (and elsewhere
 * falls back to the scalar engine).  tests/surrogate-key.bats checks every
 * engine against md5sum; bench/surrogate-key.sh measures them.
 */
#include <stdint.h>
#include <string.h>

#include "digest.h"
#include "md5x.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define MD5X_X86	1
#include <immintrin.h>
#endif

/*
 * RFC 1321's 64 steps: function, the roles of the four state words, the
 * message word, the additive constant and the rotation.
 */
#define MD5_STEPS(S) \
	S(F, a, b, c, d, 0, 0xd76aa478, 7) \
	S(F, d, a, b, c, 1, 0xe8c7b756, 12) \
	S(F, c, d, a, b, 2, 0x242070db, 17) \
	S(F, b, c, d, a, 3, 0xc1bdceee, 22) \
	S(F, a, b, c, d, 4, 0xf57c0faf, 7) \
	S(F, d, a, b, c, 5, 0x4787c62a, 12) \
	S(F, c, d, a, b, 6, 0xa8304613, 17) \
	S(F, b, c, d, a, 7, 0xfd469501, 22) \
	S(F, a, b, c, d, 8, 0x698098d8, 7) \
	S(F, d, a, b, c, 9, 0x8b44f7af, 12) \
	S(F, c, d, a, b, 10, 0xffff5bb1, 17) \
	S(F, b, c, d, a, 11, 0x895cd7be, 22) \
	S(F, a, b, c, d, 12, 0x6b901122, 7) \
	S(F, d, a, b, c, 13, 0xfd987193, 12) \
	S(F, c, d, a, b, 14, 0xa679438e, 17) \
	S(F, b, c, d, a, 15, 0x49b40821, 22) \
	S(G, a, b, c, d, 1, 0xf61e2562, 5) \
	S(G, d, a, b, c, 6, 0xc040b340, 9) \
	S(G, c, d, a, b, 11, 0x265e5a51, 14) \
	S(G, b, c, d, a, 0, 0xe9b6c7aa, 20) \
	S(G, a, b, c, d, 5, 0xd62f105d, 5) \
	S(G, d, a, b, c, 10, 0x02441453, 9) \
	S(G, c, d, a, b, 15, 0xd8a1e681, 14) \
	S(G, b, c, d, a, 4, 0xe7d3fbc8, 20) \
	S(G, a, b, c, d, 9, 0x21e1cde6, 5) \
	S(G, d, a, b, c, 14, 0xc33707d6, 9) \
	S(G, c, d, a, b, 3, 0xf4d50d87, 14) \
	S(G, b, c, d, a, 8, 0x455a14ed, 20) \
	S(G, a, b, c, d, 13, 0xa9e3e905, 5) \
	S(G, d, a, b, c, 2, 0xfcefa3f8, 9) \
	S(G, c, d, a, b, 7, 0x676f02d9, 14) \
	S(G, b, c, d, a, 12, 0x8d2a4c8a, 20) \
	S(H, a, b, c, d, 5, 0xfffa3942, 4) \
	S(H, d, a, b, c, 8, 0x8771f681, 11) \
	S(H, c, d, a, b, 11, 0x6d9d6122, 16) \
	S(H, b, c, d, a, 14, 0xfde5380c, 23) \
	S(H, a, b, c, d, 1, 0xa4beea44, 4) \
	S(H, d, a, b, c, 4, 0x4bdecfa9, 11) \
	S(H, c, d, a, b, 7, 0xf6bb4b60, 16) \
	S(H, b, c, d, a, 10, 0xbebfbc70, 23) \
	S(H, a, b, c, d, 13, 0x289b7ec6, 4) \
	S(H, d, a, b, c, 0, 0xeaa127fa, 11) \
	S(H, c, d, a, b, 3, 0xd4ef3085, 16) \
	S(H, b, c, d, a, 6, 0x04881d05, 23) \
	S(H, a, b, c, d, 9, 0xd9d4d039, 4) \
	S(H, d, a, b, c, 12, 0xe6db99e5, 11) \
	S(H, c, d, a, b, 15, 0x1fa27cf8, 16) \
	S(H, b, c, d, a, 2, 0xc4ac5665, 23) \
	S(I, a, b, c, d, 0, 0xf4292244, 6) \
	S(I, d, a, b, c, 7, 0x432aff97, 10) \
	S(I, c, d, a, b, 14, 0xab9423a7, 15) \
	S(I, b, c, d, a, 5, 0xfc93a039, 21) \
	S(I, a, b, c, d, 12, 0x655b59c3, 6) \
	S(I, d, a, b, c, 3, 0x8f0ccc92, 10) \
	S(I, c, d, a, b, 10, 0xffeff47d, 15) \
	S(I, b, c, d, a, 1, 0x85845dd1, 21) \
	S(I, a, b, c, d, 8, 0x6fa87e4f, 6) \
	S(I, d, a, b, c, 15, 0xfe2ce6e0, 10) \
	S(I, c, d, a, b, 6, 0xa3014314, 15) \
	S(I, b, c, d, a, 13, 0x4e0811a1, 21) \
	S(I, a, b, c, d, 4, 0xf7537e82, 6) \
	S(I, d, a, b, c, 11, 0xbd3af235, 10) \
	S(I, c, d, a, b, 2, 0x2ad7d2bb, 15) \
	S(I, b, c, d, a, 9, 0xeb86d391, 21)

#define IV_A	0x67452301
#define IV_B	0xefcdab89
#define IV_C	0x98badcfe
#define IV_D	0x10325476

static enum md5x_engine engine = MD5X_AUTO;

void
md5x_pad(unsigned char block[64], const void *p, size_t n)
{
	uint64_t bits = (uint64_t)n * 8;
	int i;

	memcpy(block, p, n);
	block[n] = 0x80;
	memset(block + n + 1, 0, 56 - n - 1);
	for (i = 0; i < 8; i++)
		block[56 + i] = bits >> (8 * i);
}

/* The message length a padded block records (bytes 56..63, bits). */
static size_t
padded_len(const unsigned char *block)
{
	uint64_t bits = 0;
	int i;

	for (i = 7; i >= 0; i--)
		bits = bits << 8 | block[56 + i];
	return bits / 8;
}

static void
hex_scalar(const unsigned char *blocks, size_t n, char *hex)
{
	size_t i;

	for (i = 0; i < n; i++)
		md5_hex(blocks + 64 * i, padded_len(blocks + 64 * i),
		    hex + 32 * i);
}

#ifdef MD5X_X86

/*
 * Vector layout.  A group is 16 (AVX-512) or 8 (AVX2) consecutive blocks;
 * lane l of the vector for message word j holds word j of block l.  The
 * blocks are loaded whole and transposed in registers (unpack and 128-bit
 * lane shuffles): vpgatherdd was the bottleneck, about 40 % of a group.
 * Digests go to hex in registers too (vpshufb with "0123456789abcdef"): per
 * state word, bytes 0-7 of each 128-bit lane (lanes 4L, 4L+1) and bytes 8-15
 * (lanes 4L+2, 4L+3) become 16 hex digits each; out_lanes() puts them in
 * message order.
 */
static void
out_lanes(const uint64_t lo[4][8], const uint64_t hi[4][8], char *hex,
    size_t lanes)
{
	size_t l, q, w;

	for (l = 0; l < lanes; l++) {
		q = 2 * (l >> 2) + (l & 1);
		for (w = 0; w < 4; w++)
			memcpy(hex + 32 * l + 8 * w, (l & 2) ? &hi[w][q] :
			    &lo[w][q], 8);
	}
}

/*
 * AVX-512: one vpternlogd per round function (the immediates are the truth
 * tables of F, G, H and I over b, c, d) and one vprold per rotation.
 */
#define F512(b, c, d)	_mm512_ternarylogic_epi32(b, c, d, 0xca)
#define G512(b, c, d)	_mm512_ternarylogic_epi32(b, c, d, 0xe4)
#define H512(b, c, d)	_mm512_ternarylogic_epi32(b, c, d, 0x96)
#define I512(b, c, d)	_mm512_ternarylogic_epi32(b, c, d, 0x39)
#define STEP512(f, a, b, c, d, j, t, s) \
	a = _mm512_add_epi32(a, _mm512_add_epi32(f##512(b, c, d), \
	    _mm512_add_epi32(x[j], _mm512_set1_epi32((int)(t))))); \
	a = _mm512_add_epi32(_mm512_rol_epi32(a, s), b);

/* Rows are blocks, columns words: X[j] gets word j of the 16 blocks. */
__attribute__((target("avx512f")))
static void
transpose512(const unsigned char *blocks, __m512i x[16])
{
	__m512i r[16], t[16], u[16], v0, v1, v2, v3;
	int i, m;

	for (i = 0; i < 16; i++)
		r[i] = _mm512_loadu_si512(blocks + 64 * i);
	for (i = 0; i < 8; i++) {
		t[2 * i] = _mm512_unpacklo_epi32(r[2 * i], r[2 * i + 1]);
		t[2 * i + 1] = _mm512_unpackhi_epi32(r[2 * i], r[2 * i + 1]);
	}
	/* u[4i+m], 128-bit lane k: word 4k+m of blocks 4i..4i+3 */
	for (i = 0; i < 4; i++) {
		u[4 * i] = _mm512_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
		u[4 * i + 1] = _mm512_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
		u[4 * i + 2] = _mm512_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
		u[4 * i + 3] = _mm512_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
	}
	/* then a 4x4 transpose of 128-bit lanes for each m */
	for (m = 0; m < 4; m++) {
		v0 = _mm512_shuffle_i32x4(u[m], u[4 + m], 0x44);
		v1 = _mm512_shuffle_i32x4(u[m], u[4 + m], 0xee);
		v2 = _mm512_shuffle_i32x4(u[8 + m], u[12 + m], 0x44);
		v3 = _mm512_shuffle_i32x4(u[8 + m], u[12 + m], 0xee);
		x[m] = _mm512_shuffle_i32x4(v0, v2, 0x88);
		x[4 + m] = _mm512_shuffle_i32x4(v0, v2, 0xdd);
		x[8 + m] = _mm512_shuffle_i32x4(v1, v3, 0x88);
		x[12 + m] = _mm512_shuffle_i32x4(v1, v3, 0xdd);
	}
}

/* Hex digits of the bytes DUP picked (each twice) from V. */
__attribute__((target("avx512f,avx512bw")))
static __m512i
hex512(__m512i v, __m512i dup)
{
	const __m512i digits = _mm512_broadcast_i32x4(_mm_setr_epi8('0', '1',
	    '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e',
	    'f'));
	const __m512i low4 = _mm512_set1_epi8(0x0f);
	__m512i twice = _mm512_shuffle_epi8(v, dup);
	__m512i high = _mm512_and_si512(_mm512_srli_epi16(twice, 4), low4);
	__m512i low = _mm512_and_si512(twice, low4);

	/* even bytes: the high nibble, odd bytes: the low one */
	return _mm512_shuffle_epi8(digits, _mm512_mask_blend_epi8(
	    0xaaaaaaaaaaaaaaaaULL, high, low));
}

__attribute__((target("avx512f,avx512bw")))
static void
group_avx512(const unsigned char *blocks, char *hex, size_t lanes)
{
	const __m512i dup_lo = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 0, 1,
	    1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7));
	const __m512i dup_hi = _mm512_broadcast_i32x4(_mm_setr_epi8(8, 8, 9,
	    9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15));
	__m512i x[16], a, b, c, d, st[4];
	uint64_t lo[4][8], hi[4][8];
	int w;

	transpose512(blocks, x);
	a = _mm512_set1_epi32((int)IV_A);
	b = _mm512_set1_epi32((int)IV_B);
	c = _mm512_set1_epi32((int)IV_C);
	d = _mm512_set1_epi32((int)IV_D);
	MD5_STEPS(STEP512)
	st[0] = _mm512_add_epi32(a, _mm512_set1_epi32((int)IV_A));
	st[1] = _mm512_add_epi32(b, _mm512_set1_epi32((int)IV_B));
	st[2] = _mm512_add_epi32(c, _mm512_set1_epi32((int)IV_C));
	st[3] = _mm512_add_epi32(d, _mm512_set1_epi32((int)IV_D));
	for (w = 0; w < 4; w++) {
		_mm512_storeu_si512(lo[w], hex512(st[w], dup_lo));
		_mm512_storeu_si512(hi[w], hex512(st[w], dup_hi));
	}
	out_lanes(lo, hi, hex, lanes);
}

/* AVX2 has no rotate and no ternary logic: shifts and the usual forms. */
#define ROTL256(x, s) \
	_mm256_or_si256(_mm256_slli_epi32(x, s), _mm256_srli_epi32(x, 32 - (s)))
#define F256(b, c, d) \
	_mm256_xor_si256(_mm256_and_si256(_mm256_xor_si256(c, d), b), d)
#define G256(b, c, d) \
	_mm256_xor_si256(_mm256_and_si256(_mm256_xor_si256(b, c), d), c)
#define H256(b, c, d)	_mm256_xor_si256(_mm256_xor_si256(b, c), d)
#define I256(b, c, d) \
	_mm256_xor_si256(c, _mm256_or_si256(b, _mm256_xor_si256(d, ones)))
#define STEP256(f, a, b, c, d, j, t, s) \
	a = _mm256_add_epi32(a, _mm256_add_epi32(f##256(b, c, d), \
	    _mm256_add_epi32(x[j], _mm256_set1_epi32((int)(t))))); \
	a = _mm256_add_epi32(ROTL256(a, s), b);

/* Words HALF*8 .. HALF*8+7 of 8 blocks into X[HALF*8 ..]. */
__attribute__((target("avx2")))
static void
transpose256(const unsigned char *blocks, int half, __m256i x[16])
{
	__m256i r[8], t[8], u[8];
	int i, m;

	for (i = 0; i < 8; i++)
		r[i] = _mm256_loadu_si256((const __m256i *)(const void *)
		    (blocks + 64 * i + 32 * half));
	for (i = 0; i < 4; i++) {
		t[2 * i] = _mm256_unpacklo_epi32(r[2 * i], r[2 * i + 1]);
		t[2 * i + 1] = _mm256_unpackhi_epi32(r[2 * i], r[2 * i + 1]);
	}
	for (i = 0; i < 2; i++) {
		u[4 * i] = _mm256_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
		u[4 * i + 1] = _mm256_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
		u[4 * i + 2] = _mm256_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
		u[4 * i + 3] = _mm256_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
	}
	for (m = 0; m < 4; m++) {
		x[8 * half + m] = _mm256_permute2x128_si256(u[m], u[4 + m],
		    0x20);
		x[8 * half + 4 + m] = _mm256_permute2x128_si256(u[m],
		    u[4 + m], 0x31);
	}
}

__attribute__((target("avx2")))
static __m256i
hex256(__m256i v, __m256i dup)
{
	const __m256i digits = _mm256_setr_epi8('0', '1', '2', '3', '4', '5',
	    '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f', '0', '1', '2',
	    '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f');
	const __m256i low4 = _mm256_set1_epi8(0x0f);
	const __m256i odd = _mm256_set1_epi16((short)0xff00);
	__m256i twice = _mm256_shuffle_epi8(v, dup);
	__m256i high = _mm256_and_si256(_mm256_srli_epi16(twice, 4), low4);
	__m256i low = _mm256_and_si256(twice, low4);

	return _mm256_shuffle_epi8(digits, _mm256_blendv_epi8(high, low, odd));
}

__attribute__((target("avx2")))
static void
group_avx2(const unsigned char *blocks, char *hex, size_t lanes)
{
	const __m256i ones = _mm256_set1_epi32(-1);
	const __m256i dup_lo = _mm256_setr_epi8(0, 0, 1, 1, 2, 2, 3, 3, 4, 4,
	    5, 5, 6, 6, 7, 7, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
	const __m256i dup_hi = _mm256_setr_epi8(8, 8, 9, 9, 10, 10, 11, 11,
	    12, 12, 13, 13, 14, 14, 15, 15, 8, 8, 9, 9, 10, 10, 11, 11, 12,
	    12, 13, 13, 14, 14, 15, 15);
	__m256i x[16], a, b, c, d, st[4];
	uint64_t lo[4][8], hi[4][8];
	int w;

	transpose256(blocks, 0, x);
	transpose256(blocks, 1, x);
	a = _mm256_set1_epi32((int)IV_A);
	b = _mm256_set1_epi32((int)IV_B);
	c = _mm256_set1_epi32((int)IV_C);
	d = _mm256_set1_epi32((int)IV_D);
	MD5_STEPS(STEP256)
	st[0] = _mm256_add_epi32(a, _mm256_set1_epi32((int)IV_A));
	st[1] = _mm256_add_epi32(b, _mm256_set1_epi32((int)IV_B));
	st[2] = _mm256_add_epi32(c, _mm256_set1_epi32((int)IV_C));
	st[3] = _mm256_add_epi32(d, _mm256_set1_epi32((int)IV_D));
	for (w = 0; w < 4; w++) {
		_mm256_storeu_si256((__m256i *)(void *)lo[w],
		    hex256(st[w], dup_lo));
		_mm256_storeu_si256((__m256i *)(void *)hi[w],
		    hex256(st[w], dup_hi));
	}
	out_lanes(lo, hi, hex, lanes);
}

/*
 * Full groups straight from BLOCKS; a short last group is copied into a
 * zeroed group first (its spare lanes hash zeros and are not written out).
 */
static void
hex_lanes(const unsigned char *blocks, size_t n, char *hex, size_t width,
    void (*group)(const unsigned char *, char *, size_t))
{
	unsigned char tail[16 * 64];
	size_t i;

	for (i = 0; i + width <= n; i += width)
		group(blocks + 64 * i, hex + 32 * i, width);
	if (i < n) {
		memset(tail, 0, sizeof(tail));
		memcpy(tail, blocks + 64 * i, 64 * (n - i));
		group(tail, hex + 32 * i, n - i);
	}
}

#endif /* MD5X_X86 */

int
md5x_select(enum md5x_engine want)
{
	switch (want) {
	case MD5X_AUTO:
#ifdef MD5X_X86
		if (md5x_select(MD5X_AVX512) || md5x_select(MD5X_AVX2))
			return 1;
#endif
		engine = MD5X_SCALAR;
		return 1;
	case MD5X_SCALAR:
		engine = MD5X_SCALAR;
		return 1;
	case MD5X_AVX2:
#ifdef MD5X_X86
		if (__builtin_cpu_supports("avx2")) {
			engine = MD5X_AVX2;
			return 1;
		}
#endif
		return 0;
	case MD5X_AVX512:
#ifdef MD5X_X86
		if (__builtin_cpu_supports("avx512f") &&
		    __builtin_cpu_supports("avx512bw")) {
			engine = MD5X_AVX512;
			return 1;
		}
#endif
		return 0;
	}
	return 0;
}

const char *
md5x_engine_name(void)
{
	if (engine == MD5X_AUTO)
		md5x_select(MD5X_AUTO);
	switch (engine) {
	case MD5X_AVX512:
		return "avx512";
	case MD5X_AVX2:
		return "avx2";
	default:
		return "scalar";
	}
}

void
md5x_hex(const unsigned char *blocks, size_t n, char *hex)
{
	if (engine == MD5X_AUTO)
		md5x_select(MD5X_AUTO);
	switch (engine) {
#ifdef MD5X_X86
	case MD5X_AVX512:
		hex_lanes(blocks, n, hex, 16, group_avx512);
		return;
	case MD5X_AVX2:
		hex_lanes(blocks, n, hex, 8, group_avx2);
		return;
#endif
	default:
		hex_scalar(blocks, n, hex);
		return;
	}
}
