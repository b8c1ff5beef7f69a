/*
 * input.h - one input file as a stream of bytes: plain or gzip, told apart by
 * the magic bytes (never by name), multi-member gzip, truncation detected.
 * It knows nothing of lines or fields; see tsv.h.
 */
#ifndef P07_INPUT_H
#define P07_INPUT_H

#include <stddef.h>
#include <stdint.h>

#define INPUT_SHA256	0x1	/* hash the raw bytes of the file as given */

struct input;

/* Open PATH ("-" or NULL: stdin).  Dies with a message on failure. */
struct input	*input_open(const char *path, int flags);
/* Up to N uncompressed bytes into BUF; 0 at the end.  Dies on a damaged stream. */
size_t		 input_read(struct input *in, void *buf, size_t n);
/* Read (without inflating) what is left, so the raw digest covers the file. */
void		 input_drain(struct input *in);
const char	*input_name(const struct input *in);
int		 input_is_gzip(const struct input *in);
uint64_t	 input_raw_bytes(const struct input *in);	/* read so far */
int64_t		 input_size(const struct input *in);	/* -1 when unknown */
/* Lowercase hex sha256 of the raw bytes read so far (after input_drain: all). */
void		 input_sha256_hex(struct input *in, char hex[65]);
void		 input_close(struct input *in);
const char	*input_inflater(void);	/* "isa-l" or "zlib" */

#endif
