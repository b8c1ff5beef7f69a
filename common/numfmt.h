/*
 * numfmt.h - exact number parsing and formatting.  Ratings are one-decimal
 * values, so sums and means are kept as integers and fractions and rounded
 * half away from zero on the exact value; doubles only where no exact form
 * exists (stdev).
 */
#ifndef P07_NUMFMT_H
#define P07_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

typedef __int128 i128;

/* Strict decimal integer ("-12", "0"); 0 when malformed or out of range. */
int	parse_i64(const char *p, size_t n, int64_t *v);
/*
 * Strict decimal with at most SCALE fraction digits ("7", "7.5", "-0.25"),
 * returned times 10^SCALE; 0 when malformed, too precise or out of range.
 */
int	parse_scaled(const char *p, size_t n, int scale, int64_t *v);
/* Strict floating point (strtod syntax, finite, whole slice); 0 if not. */
int	parse_double(const char *p, size_t n, double *v);
/*
 * NUM/DEN (DEN > 0) with DIGITS decimals, rounded half away from zero, into
 * BUF (at least 64 bytes); returns the length.  No "-0.00": a value that
 * rounds to zero prints without a sign.
 */
size_t	fmt_fraction(char *buf, i128 num, i128 den, int digits);
/* A double with DIGITS decimals, half away from zero on its binary value. */
size_t	fmt_double(char *buf, double v, int digits);
size_t	fmt_i128(char *buf, i128 v);

#endif
