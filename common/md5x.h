/*
 * md5x.h - many independent one-block MD5 digests at once: 16 lanes with
 * AVX-512, 8 with AVX2, chosen at run time; a scalar loop otherwise.  It only
 * hashes messages of at most 55 bytes (one padded block); longer ones are the
 * caller's, through md5_hex in digest.h.
 */
#ifndef P07_MD5X_H
#define P07_MD5X_H

#include <stddef.h>

#define MD5X_MAX_LEN	55	/* longest message that fits one block */

enum md5x_engine {
	MD5X_AUTO,	/* the widest the CPU supports */
	MD5X_SCALAR,	/* one block at a time through md5_hex */
	MD5X_AVX2,	/* 8 lanes */
	MD5X_AVX512	/* 16 lanes */
};

/*
 * Lay out message P[0..N) (N <= MD5X_MAX_LEN) as its one padded MD5 block:
 * the bytes, 0x80, zeros, the bit length little-endian in the last 8 bytes.
 */
void	md5x_pad(unsigned char block[64], const void *p, size_t n);

/*
 * Digest each of the N padded blocks BLOCKS[0..64*N) (as md5x_pad made them)
 * and write its 32 lowercase hex digits to HEX[32*i..32*i+32).
 */
void	md5x_hex(const unsigned char *blocks, size_t n, char *hex);

/* Select ENGINE; 0 when this CPU cannot run it (the selection is kept). */
int	md5x_select(enum md5x_engine engine);
/* The engine in use: "scalar", "avx2" or "avx512". */
const char *md5x_engine_name(void);

#endif
