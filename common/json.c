/*
 * json.c - JSON text for the evidence file.  Layout matches jq's default
 * pretty-printer so a reader can diff the two; it only writes, it never
 * parses, and it holds no state beyond the nesting of the current value.
 */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "msg.h"

void
json_init(struct json *j, struct out *o)
{
	memset(j, 0, sizeof(*j));
	j->o = o;
}

static void
newline_indent(struct json *j)
{
	int i;

	out_byte(j->o, '\n');
	for (i = 0; i < j->depth; i++)
		out_write(j->o, "  ", 2);
}

/* Separator and indentation before a value or a key. */
static void
before_value(struct json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->depth == 0)
		return;
	if (j->count[j->depth - 1]++ > 0)
		out_byte(j->o, ',');
	newline_indent(j);
}

static void
open_level(struct json *j, char c)
{
	before_value(j);
	if (j->depth == JSON_MAX_DEPTH)
		die(EXIT_DATA, "json: nesting deeper than %d", JSON_MAX_DEPTH);
	out_byte(j->o, c);
	j->count[j->depth++] = 0;
}

static void
close_level(struct json *j, char c)
{
	int had = j->count[--j->depth];

	if (had > 0)
		newline_indent(j);
	out_byte(j->o, c);
}

void
json_object_begin(struct json *j)
{
	open_level(j, '{');
}

void
json_object_end(struct json *j)
{
	close_level(j, '}');
}

void
json_array_begin(struct json *j)
{
	open_level(j, '[');
}

void
json_array_end(struct json *j)
{
	close_level(j, ']');
}

void
json_key(struct json *j, const char *key)
{
	before_value(j);
	out_byte(j->o, '"');
	json_escape(j->o, key, strlen(key));
	out_write(j->o, "\": ", 3);
	j->after_key = 1;
}

/*
 * Length of the well-formed UTF-8 sequence at P (at most N bytes), or 0
 * when it is ill-formed; *BAD then gets the length of its maximal valid
 * prefix (at least 1), the unit replaced by one U+FFFD.
 */
static size_t
utf8_len(const unsigned char *p, size_t n, size_t *bad)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;		/* no overlong forms */
		else if (p[0] == 0xed)
			hi = 0x9f;		/* no surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;		/* nothing above U+10FFFF */
	} else {
		*bad = 1;
		return 0;
	}
	for (i = 1; i < len; i++) {
		if (i >= n || p[i] < lo || p[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return len;
}

void
json_escape(struct out *o, const char *s, size_t n)
{
	static const char hexd[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	const unsigned char *run = p;
	char u[6] = { '\\', 'u', '0', '0', 0, 0 };
	size_t len, bad = 1;

	while (p < end) {
		if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\') {
			p++;
			continue;
		}
		if (*p >= 0x80 && (len = utf8_len(p, end - p, &bad)) > 0) {
			p += len;
			continue;
		}
		out_write(o, run, p - run);
		switch (*p) {
		case '"':
			out_write(o, "\\\"", 2);
			break;
		case '\\':
			out_write(o, "\\\\", 2);
			break;
		case '\b':
			out_write(o, "\\b", 2);
			break;
		case '\f':
			out_write(o, "\\f", 2);
			break;
		case '\n':
			out_write(o, "\\n", 2);
			break;
		case '\r':
			out_write(o, "\\r", 2);
			break;
		case '\t':
			out_write(o, "\\t", 2);
			break;
		default:
			if (*p < 0x80) {	/* other controls and DEL */
				u[4] = hexd[*p >> 4];
				u[5] = hexd[*p & 0xf];
				out_write(o, u, 6);
				break;
			}
			out_write(o, "\xef\xbf\xbd", 3);	/* U+FFFD */
			p += bad;
			run = p;
			continue;
		}
		run = ++p;
	}
	out_write(o, run, p - run);
}

void
json_strn(struct json *j, const char *p, size_t n)
{
	before_value(j);
	out_byte(j->o, '"');
	json_escape(j->o, p, n);
	out_byte(j->o, '"');
}

void
json_str(struct json *j, const char *s)
{
	json_strn(j, s, strlen(s));
}

void
json_u64(struct json *j, uint64_t v)
{
	before_value(j);
	out_u64(j->o, v);
}

void
json_i64(struct json *j, int64_t v)
{
	before_value(j);
	out_i64(j->o, v);
}

void
json_number(struct json *j, const char *text)
{
	before_value(j);
	out_str(j->o, text);
}

void
json_null(struct json *j)
{
	before_value(j);
	out_write(j->o, "null", 4);
}

void
json_bool(struct json *j, int v)
{
	before_value(j);
	out_str(j->o, v ? "true" : "false");
}

void
json_finish(struct json *j)
{
	out_byte(j->o, '\n');
}
