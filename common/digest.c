/*
 * digest.c - MD5 (RFC 1321) written out plainly for speed on short keys, and
 * SHA-256 of files through OpenSSL.  It hashes bytes; what bytes make a key
 * is decided by the callers (surrogate-key, scd2-merge).
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "digest.h"
#include "msg.h"

#define ROTL(x, c)	(((x) << (c)) | ((x) >> (32 - (c))))
#define F(b, c, d)	((((c) ^ (d)) & (b)) ^ (d))
#define G(b, c, d)	((((b) ^ (c)) & (d)) ^ (c))
#define H(b, c, d)	((b) ^ (c) ^ (d))
#define I(b, c, d)	((c) ^ ((b) | ~(d)))
#define STEP(f, a, b, c, d, x, t, s) \
	((a) += f((b), (c), (d)) + (x) + (t), (a) = ROTL((a), (s)) + (b))

static uint32_t
load32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
md5_block(uint32_t h[4], const unsigned char *p)
{
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], x[16];
	int i;

	for (i = 0; i < 16; i++)
		x[i] = load32(p + 4 * i);
	STEP(F, a, b, c, d, x[0], 0xd76aa478, 7);
	STEP(F, d, a, b, c, x[1], 0xe8c7b756, 12);
	STEP(F, c, d, a, b, x[2], 0x242070db, 17);
	STEP(F, b, c, d, a, x[3], 0xc1bdceee, 22);
	STEP(F, a, b, c, d, x[4], 0xf57c0faf, 7);
	STEP(F, d, a, b, c, x[5], 0x4787c62a, 12);
	STEP(F, c, d, a, b, x[6], 0xa8304613, 17);
	STEP(F, b, c, d, a, x[7], 0xfd469501, 22);
	STEP(F, a, b, c, d, x[8], 0x698098d8, 7);
	STEP(F, d, a, b, c, x[9], 0x8b44f7af, 12);
	STEP(F, c, d, a, b, x[10], 0xffff5bb1, 17);
	STEP(F, b, c, d, a, x[11], 0x895cd7be, 22);
	STEP(F, a, b, c, d, x[12], 0x6b901122, 7);
	STEP(F, d, a, b, c, x[13], 0xfd987193, 12);
	STEP(F, c, d, a, b, x[14], 0xa679438e, 17);
	STEP(F, b, c, d, a, x[15], 0x49b40821, 22);
	STEP(G, a, b, c, d, x[1], 0xf61e2562, 5);
	STEP(G, d, a, b, c, x[6], 0xc040b340, 9);
	STEP(G, c, d, a, b, x[11], 0x265e5a51, 14);
	STEP(G, b, c, d, a, x[0], 0xe9b6c7aa, 20);
	STEP(G, a, b, c, d, x[5], 0xd62f105d, 5);
	STEP(G, d, a, b, c, x[10], 0x02441453, 9);
	STEP(G, c, d, a, b, x[15], 0xd8a1e681, 14);
	STEP(G, b, c, d, a, x[4], 0xe7d3fbc8, 20);
	STEP(G, a, b, c, d, x[9], 0x21e1cde6, 5);
	STEP(G, d, a, b, c, x[14], 0xc33707d6, 9);
	STEP(G, c, d, a, b, x[3], 0xf4d50d87, 14);
	STEP(G, b, c, d, a, x[8], 0x455a14ed, 20);
	STEP(G, a, b, c, d, x[13], 0xa9e3e905, 5);
	STEP(G, d, a, b, c, x[2], 0xfcefa3f8, 9);
	STEP(G, c, d, a, b, x[7], 0x676f02d9, 14);
	STEP(G, b, c, d, a, x[12], 0x8d2a4c8a, 20);
	STEP(H, a, b, c, d, x[5], 0xfffa3942, 4);
	STEP(H, d, a, b, c, x[8], 0x8771f681, 11);
	STEP(H, c, d, a, b, x[11], 0x6d9d6122, 16);
	STEP(H, b, c, d, a, x[14], 0xfde5380c, 23);
	STEP(H, a, b, c, d, x[1], 0xa4beea44, 4);
	STEP(H, d, a, b, c, x[4], 0x4bdecfa9, 11);
	STEP(H, c, d, a, b, x[7], 0xf6bb4b60, 16);
	STEP(H, b, c, d, a, x[10], 0xbebfbc70, 23);
	STEP(H, a, b, c, d, x[13], 0x289b7ec6, 4);
	STEP(H, d, a, b, c, x[0], 0xeaa127fa, 11);
	STEP(H, c, d, a, b, x[3], 0xd4ef3085, 16);
	STEP(H, b, c, d, a, x[6], 0x04881d05, 23);
	STEP(H, a, b, c, d, x[9], 0xd9d4d039, 4);
	STEP(H, d, a, b, c, x[12], 0xe6db99e5, 11);
	STEP(H, c, d, a, b, x[15], 0x1fa27cf8, 16);
	STEP(H, b, c, d, a, x[2], 0xc4ac5665, 23);
	STEP(I, a, b, c, d, x[0], 0xf4292244, 6);
	STEP(I, d, a, b, c, x[7], 0x432aff97, 10);
	STEP(I, c, d, a, b, x[14], 0xab9423a7, 15);
	STEP(I, b, c, d, a, x[5], 0xfc93a039, 21);
	STEP(I, a, b, c, d, x[12], 0x655b59c3, 6);
	STEP(I, d, a, b, c, x[3], 0x8f0ccc92, 10);
	STEP(I, c, d, a, b, x[10], 0xffeff47d, 15);
	STEP(I, b, c, d, a, x[1], 0x85845dd1, 21);
	STEP(I, a, b, c, d, x[8], 0x6fa87e4f, 6);
	STEP(I, d, a, b, c, x[15], 0xfe2ce6e0, 10);
	STEP(I, c, d, a, b, x[6], 0xa3014314, 15);
	STEP(I, b, c, d, a, x[13], 0x4e0811a1, 21);
	STEP(I, a, b, c, d, x[4], 0xf7537e82, 6);
	STEP(I, d, a, b, c, x[11], 0xbd3af235, 10);
	STEP(I, c, d, a, b, x[2], 0x2ad7d2bb, 15);
	STEP(I, b, c, d, a, x[9], 0xeb86d391, 21);
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
}

void
md5_init(struct md5 *m)
{
	m->h[0] = 0x67452301;
	m->h[1] = 0xefcdab89;
	m->h[2] = 0x98badcfe;
	m->h[3] = 0x10325476;
	m->len = 0;
}

void
md5_update(struct md5 *m, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t used = m->len & 63, take;

	m->len += n;
	if (used > 0) {
		take = 64 - used < n ? 64 - used : n;
		memcpy(m->buf + used, p, take);
		p += take;
		n -= take;
		if (used + take < 64)
			return;
		md5_block(m->h, m->buf);
	}
	for (; n >= 64; p += 64, n -= 64)
		md5_block(m->h, p);
	memcpy(m->buf, p, n);
}

void
md5_final(struct md5 *m, unsigned char out[16])
{
	size_t used = m->len & 63;
	uint64_t bits = m->len * 8;
	int i;

	m->buf[used++] = 0x80;
	if (used > 56) {
		memset(m->buf + used, 0, 64 - used);
		md5_block(m->h, m->buf);
		used = 0;
	}
	memset(m->buf + used, 0, 56 - used);
	for (i = 0; i < 8; i++)
		m->buf[56 + i] = bits >> (8 * i);
	md5_block(m->h, m->buf);
	for (i = 0; i < 16; i++)
		out[i] = m->h[i / 4] >> (8 * (i % 4));
}

void
hex_encode(const unsigned char *bin, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[bin[i] >> 4];
		hex[2 * i + 1] = digits[bin[i] & 15];
	}
}

void
md5_hex(const void *p, size_t n, char hex[32])
{
	struct md5 m;
	unsigned char bin[16];

	md5_init(&m);
	md5_update(&m, p, n);
	md5_final(&m, bin);
	hex_encode(bin, 16, hex);
}

/*
 * A SHA-256 context, OpenSSL set up without its exit handler: a digest
 * may run on a thread (evidence-sum's hasher) while another thread dies,
 * and the handler would free OpenSSL's tables under the running digest.
 * The first initialisation decides, so every SHA-256 starts here.
 */
EVP_MD_CTX *
sha256_begin(void)
{
	EVP_MD_CTX *ctx;

	if (!OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL) ||
	    (ctx = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		die(EXIT_DATA, "cannot initialise sha256");
	return ctx;
}

void
sha256_file_hex(const char *path, char hex[65])
{
	unsigned char buf[1 << 16], md[EVP_MAX_MD_SIZE];
	unsigned int len;
	EVP_MD_CTX *ctx;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		die_sys("%s", path);
	ctx = sha256_begin();
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(ctx, buf, n);
	if (n == -1)
		die_sys("%s: read error", path);
	close(fd);
	EVP_DigestFinal_ex(ctx, md, &len);
	EVP_MD_CTX_free(ctx);
	hex_encode(md, 32, hex);
	hex[64] = '\0';
}
