/*
 * input.c - byte streams from files: plain, or gzip inflated by ISA-L when the
 * build found it (2.5x zlib here), zlib otherwise.  Every damaged stream is an
 * error naming the file; it never guesses at what a short file should hold.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#ifdef HAVE_ISAL
#include <isa-l/igzip_lib.h>
#else
#include <zlib.h>
#endif

#include "digest.h"
#include "input.h"
#include "msg.h"
#include "pipewide.h"

#define RAW_BUFSIZE	(1 << 20)

struct input {
	char		*name;
	int		 fd;
	int		 gzip;
	int		 raw_eof;
	int		 stream_done;	/* a member ended and nothing follows */
	int		 in_member;	/* inside a gzip member */
	unsigned char	*raw;
	size_t		 raw_pos, raw_len;
	uint64_t	 raw_bytes;
	int64_t		 size;
	EVP_MD_CTX	*sha;
#ifdef HAVE_ISAL
	struct inflate_state zs;
#else
	z_stream	 zs;
#endif
};

static void	 raw_fill(struct input *);
static void	 member_start(struct input *);
static size_t	 member_inflate(struct input *, unsigned char *, size_t, int *);

const char *
input_inflater(void)
{
#ifdef HAVE_ISAL
	return "isa-l";
#else
	return "zlib";
#endif
}

struct input *
input_open(const char *path, int flags)
{
	struct input *in;
	struct stat st;

	if ((in = calloc(1, sizeof(*in))) == NULL)
		die_sys("out of memory");
	if (path == NULL || strcmp(path, "-") == 0) {
		in->name = strdup("stdin");
		in->fd = STDIN_FILENO;
	} else {
		in->name = strdup(path);
		if ((in->fd = open(path, O_RDONLY)) == -1)
			die_sys("%s", path);
	}
	if (in->name == NULL || (in->raw = malloc(RAW_BUFSIZE)) == NULL)
		die_sys("out of memory");
	in->size = -1;
	if (fstat(in->fd, &st) == 0 && S_ISREG(st.st_mode))
		in->size = st.st_size;
	pipe_widen(in->fd);
	if (flags & INPUT_SHA256) {
		in->sha = sha256_begin();
	}
	/* Sniff the magic: a pipe may hand over fewer than two bytes. */
	while (in->raw_len < 2 && !in->raw_eof)
		raw_fill(in);
	in->gzip = in->raw_len >= 2 && in->raw[0] == 0x1f && in->raw[1] == 0x8b;
	if (in->gzip)
		member_start(in);
	return in;
}

/* Append what read(2) gives to the raw buffer, compacting it first. */
static void
raw_fill(struct input *in)
{
	ssize_t n;

	if (in->raw_pos > 0) {
		memmove(in->raw, in->raw + in->raw_pos, in->raw_len - in->raw_pos);
		in->raw_len -= in->raw_pos;
		in->raw_pos = 0;
	}
	do
		n = read(in->fd, in->raw + in->raw_len, RAW_BUFSIZE - in->raw_len);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		die_sys("%s: read error", in->name);
	if (n == 0) {
		in->raw_eof = 1;
		return;
	}
	if (in->sha != NULL)
		EVP_DigestUpdate(in->sha, in->raw + in->raw_len, n);
	in->raw_len += n;
	in->raw_bytes += n;
}

size_t
input_read(struct input *in, void *buf, size_t n)
{
	size_t got;
	ssize_t r;
	int ended;

	if (!in->gzip) {
		if (in->raw_pos < in->raw_len) {
			got = in->raw_len - in->raw_pos;
			if (got > n)
				got = n;
			memcpy(buf, in->raw + in->raw_pos, got);
			in->raw_pos += got;
			return got;
		}
		if (in->raw_eof)
			return 0;
		do
			r = read(in->fd, buf, n);
		while (r == -1 && errno == EINTR);
		if (r == -1)
			die_sys("%s: read error", in->name);
		if (r == 0)
			in->raw_eof = 1;
		else if (in->sha != NULL)
			EVP_DigestUpdate(in->sha, buf, r);
		in->raw_bytes += r;
		return r;
	}
	for (;;) {
		if (in->stream_done)
			return 0;
		if (!in->in_member) {
			/* Between members: another one, the end, or garbage. */
			while (in->raw_len - in->raw_pos < 2 && !in->raw_eof)
				raw_fill(in);
			if (in->raw_pos == in->raw_len) {
				in->stream_done = 1;
				return 0;
			}
			if (in->raw_len - in->raw_pos < 2 ||
			    in->raw[in->raw_pos] != 0x1f ||
			    in->raw[in->raw_pos + 1] != 0x8b)
				die(EXIT_DATA, "%s: trailing garbage after gzip "
				    "data at byte %llu", in->name,
				    (unsigned long long)(in->raw_bytes -
				    (in->raw_len - in->raw_pos)));
			member_start(in);
		}
		if (in->raw_pos == in->raw_len && !in->raw_eof)
			raw_fill(in);
		got = member_inflate(in, buf, n, &ended);
		if (ended)
			in->in_member = 0;
		if (got > 0)
			return got;
		if (!ended && in->raw_pos == in->raw_len && in->raw_eof)
			die(EXIT_DATA, "%s: truncated gzip stream "
			    "(unexpected end of file after %llu bytes)",
			    in->name, (unsigned long long)in->raw_bytes);
	}
}

#ifdef HAVE_ISAL
static void
member_start(struct input *in)
{
	isal_inflate_init(&in->zs);
	in->zs.crc_flag = ISAL_GZIP;
	in->in_member = 1;
}

static size_t
member_inflate(struct input *in, unsigned char *out, size_t n, int *ended)
{
	uint32_t avail = in->raw_len - in->raw_pos;
	int rc;

	if (n > UINT32_MAX)
		n = UINT32_MAX;
	in->zs.next_in = in->raw + in->raw_pos;
	in->zs.avail_in = avail;
	in->zs.next_out = out;
	in->zs.avail_out = n;
	rc = isal_inflate(&in->zs);
	in->raw_pos += avail - in->zs.avail_in;
	if (rc < 0)
		die(EXIT_DATA, "%s: corrupt gzip stream (%s)", in->name,
		    rc == ISAL_INCORRECT_CHECKSUM ? "CRC mismatch" :
		    rc == ISAL_INVALID_WRAPPER ? "bad gzip header" :
		    "invalid deflate data");
	*ended = in->zs.block_state == ISAL_BLOCK_FINISH;
	return n - in->zs.avail_out;
}
#else
static void
member_start(struct input *in)
{
	if (in->zs.state == NULL) {
		if (inflateInit2(&in->zs, 15 + 16) != Z_OK)
			die(EXIT_DATA, "%s: cannot initialise zlib", in->name);
	} else if (inflateReset(&in->zs) != Z_OK)
		die(EXIT_DATA, "%s: cannot reset zlib", in->name);
	in->in_member = 1;
}

static size_t
member_inflate(struct input *in, unsigned char *out, size_t n, int *ended)
{
	uInt avail = in->raw_len - in->raw_pos;
	int rc;

	if (n > UINT32_MAX)
		n = UINT32_MAX;
	in->zs.next_in = in->raw + in->raw_pos;
	in->zs.avail_in = avail;
	in->zs.next_out = out;
	in->zs.avail_out = n;
	rc = inflate(&in->zs, Z_NO_FLUSH);
	in->raw_pos += avail - in->zs.avail_in;
	if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_MEM_ERROR ||
	    rc == Z_STREAM_ERROR)
		die(EXIT_DATA, "%s: corrupt gzip stream (%s)", in->name,
		    in->zs.msg != NULL && strstr(in->zs.msg, "check") != NULL ?
		    "CRC mismatch" : in->zs.msg != NULL &&
		    strstr(in->zs.msg, "header") != NULL ? "bad gzip header" :
		    "invalid deflate data");
	*ended = rc == Z_STREAM_END;
	return n - in->zs.avail_out;
}
#endif

void
input_drain(struct input *in)
{
	while (!in->raw_eof) {
		in->raw_pos = in->raw_len;
		raw_fill(in);
	}
}

const char *
input_name(const struct input *in)
{
	return in->name;
}

int
input_is_gzip(const struct input *in)
{
	return in->gzip;
}

uint64_t
input_raw_bytes(const struct input *in)
{
	return in->raw_bytes;
}

int64_t
input_size(const struct input *in)
{
	return in->size;
}

void
input_sha256_hex(struct input *in, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_MD_CTX *copy;

	hex[0] = '\0';
	if (in->sha == NULL || (copy = EVP_MD_CTX_new()) == NULL)
		return;
	if (EVP_MD_CTX_copy_ex(copy, in->sha) &&
	    EVP_DigestFinal_ex(copy, md, &len) && len == 32) {
		hex_encode(md, 32, hex);
		hex[64] = '\0';
	}
	EVP_MD_CTX_free(copy);
}

void
input_close(struct input *in)
{
	if (in == NULL)
		return;
#ifndef HAVE_ISAL
	if (in->gzip)
		inflateEnd(&in->zs);
#endif
	if (in->fd != STDIN_FILENO)
		close(in->fd);
	EVP_MD_CTX_free(in->sha);
	free(in->raw);
	free(in->name);
	free(in);
}
