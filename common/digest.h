/*
 * digest.h - MD5 for surrogate keys and row hashes (our own implementation:
 * no per-call context allocation, and the one-block case is inlined), and
 * SHA-256 of files through OpenSSL for the evidence.
 */
#ifndef P07_DIGEST_H
#define P07_DIGEST_H

#include <stddef.h>
#include <stdint.h>

struct md5 {
	uint32_t	 h[4];
	uint64_t	 len;
	unsigned char	 buf[64];
};

void	md5_init(struct md5 *m);
void	md5_update(struct md5 *m, const void *p, size_t n);
void	md5_final(struct md5 *m, unsigned char out[16]);
/* MD5 of P[0..N) as 32 lowercase hex digits (no NUL written). */
void	md5_hex(const void *p, size_t n, char hex[32]);
void	hex_encode(const unsigned char *bin, size_t n, char *hex);

/* A fresh SHA-256 context (OpenSSL's); dies if there is none. */
struct evp_md_ctx_st	*sha256_begin(void);
/* sha256 of a whole file as 64 hex digits + NUL; dies on a read error. */
void	sha256_file_hex(const char *path, char hex[65]);

/* dbt_utils generate_surrogate_key's stand-in for a null field. */
#define SK_NULL		"_dbt_utils_surrogate_key_null_"

#endif
