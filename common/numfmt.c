/*
 * numfmt.c - the only place numbers are turned from and into text.  It never
 * depends on the locale (no printf %f for exact values, no strtod for
 * one-decimal ratings).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"

int
parse_i64(const char *p, size_t n, int64_t *v)
{
	int64_t r;

	return parse_scaled(p, n, 0, &r) ? (*v = r, 1) : 0;
}

int
parse_scaled(const char *p, size_t n, int scale, int64_t *v)
{
	const char *end = p + n;
	i128 acc = 0;
	int neg = 0, frac = -1, digits = 0;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	for (; p < end; p++) {
		if (*p == '.' && frac < 0 && digits > 0) {
			frac = 0;
			continue;
		}
		if (*p < '0' || *p > '9')
			return 0;
		if (frac >= 0 && ++frac > scale)
			return 0;
		acc = acc * 10 + (*p - '0');
		if (acc > INT64_MAX)
			return 0;
		digits++;
	}
	if (digits == 0 || frac == 0)
		return 0;
	for (frac = frac < 0 ? 0 : frac; frac < scale; frac++) {
		acc *= 10;
		if (acc > INT64_MAX)
			return 0;
	}
	*v = neg ? -(int64_t)acc : (int64_t)acc;
	return 1;
}

int
parse_double(const char *p, size_t n, double *v)
{
	char tmp[64], *end;

	if (n == 0 || n >= sizeof(tmp))
		return 0;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	if (tmp[0] == ' ' || tmp[0] == '\t' || tmp[0] == '+')
		return 0;
	*v = strtod(tmp, &end);
	return *end == '\0' && isfinite(*v);
}

size_t
fmt_i128(char *buf, i128 v)
{
	char tmp[48];
	int i = sizeof(tmp), neg = v < 0;
	unsigned __int128 u = neg ? -(unsigned __int128)v : (unsigned __int128)v;
	size_t len;

	do {
		tmp[--i] = '0' + (int)(u % 10);
		u /= 10;
	} while (u != 0);
	if (neg)
		tmp[--i] = '-';
	len = sizeof(tmp) - i;
	memcpy(buf, tmp + i, len);
	buf[len] = '\0';
	return len;
}

size_t
fmt_fraction(char *buf, i128 num, i128 den, int digits)
{
	i128 scale = 1, q, r;
	int neg = (num < 0) != (den < 0), i;
	size_t len = 0;
	char ip[48];

	if (num < 0)
		num = -num;
	if (den < 0)
		den = -den;
	for (i = 0; i < digits; i++)
		scale *= 10;
	/* round(|num|/den * scale) half away from zero */
	q = num * scale / den;
	r = num * scale % den;
	if (2 * r >= den)
		q++;
	if (neg && q != 0)
		buf[len++] = '-';
	len += fmt_i128(buf + len, q / scale);
	if (digits > 0) {
		buf[len++] = '.';
		fmt_i128(ip, q % scale + scale);	/* leading 1 keeps zeros */
		memcpy(buf + len, ip + 1, digits);
		len += digits;
	}
	buf[len] = '\0';
	return len;
}

size_t
fmt_double(char *buf, double v, int digits)
{
	double scale = 1, r;
	int i;

	for (i = 0; i < digits; i++)
		scale *= 10;
	r = round(v * scale);	/* round() is half away from zero */
	if (fabs(r) < 9e15)
		return fmt_fraction(buf, (i128)r, (i128)scale, digits);
	return snprintf(buf, 64, "%.*f", digits, v);
}
