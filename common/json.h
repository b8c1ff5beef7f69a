/*
 * json.h - a streaming JSON writer with a fixed layout (two-space indent,
 * "key": value, [] and {} when empty) over an out.h stream.  It never
 * reorders keys and never reads the clock: equal calls give equal bytes.
 */
#ifndef P07_JSON_H
#define P07_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "out.h"

#define JSON_MAX_DEPTH	32

struct json {
	struct out	*o;
	int		 depth;
	int		 count[JSON_MAX_DEPTH];	/* members written per level */
	int		 after_key;		/* a key was just written */
};

void	json_init(struct json *j, struct out *o);
void	json_object_begin(struct json *j);
void	json_object_end(struct json *j);
void	json_array_begin(struct json *j);
void	json_array_end(struct json *j);
void	json_key(struct json *j, const char *key);
/*
 * A string value from raw bytes: '"', '\\' and control bytes escaped,
 * valid UTF-8 copied, and each ill-formed sequence (its maximal valid
 * prefix, as Unicode recommends) replaced by U+FFFD.
 */
void	json_strn(struct json *j, const char *p, size_t n);
void	json_str(struct json *j, const char *s);
void	json_u64(struct json *j, uint64_t v);
void	json_i64(struct json *j, int64_t v);
/* A number already formatted (e.g. by fmt_fraction); written verbatim. */
void	json_number(struct json *j, const char *text);
void	json_null(struct json *j);
void	json_bool(struct json *j, int v);
/* End the document with a newline. */
void	json_finish(struct json *j);
/* Escape P[0..N) as json_strn does (without quotes) onto O. */
void	json_escape(struct out *o, const char *p, size_t n);

#endif
