/*
 * rejects.c - writes refused rows with where they came from and why.  It
 * decides nothing: the tool says what is bad, this keeps the record.
 */
#include <string.h>

#include "rejects.h"

void
rejects_open(struct rejects *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	if (path == NULL)
		return;
	out_open(&r->out, path);
	out_str(&r->out, "source\tline\treason\traw\n");
	r->open = 1;
}

void
rejects_add(struct rejects *r, const char *source, uint64_t line,
    const char *reason, const char *raw, size_t n)
{
	r->count++;
	out_str(&r->out, source);
	out_byte(&r->out, '\t');
	out_u64(&r->out, line);
	out_byte(&r->out, '\t');
	out_str(&r->out, reason);
	out_byte(&r->out, '\t');
	out_write(&r->out, raw, n);
	out_byte(&r->out, '\n');
}

void
rejects_close(struct rejects *r)
{
	if (r->open)
		out_close(&r->out);
	r->open = 0;
}
