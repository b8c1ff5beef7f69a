/*
 * stats.c - collects a tool's counters and writes them as TSV.  It does not
 * compute anything: tools set values, this file only keeps and prints them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "out.h"
#include "stats.h"

static struct stat_row *
row_for(struct stats *st, const char *metric)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (strcmp(st->rows[i].metric, metric) == 0) {
			free(st->rows[i].value);
			return &st->rows[i];
		}
	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 16;
		if ((st->rows = realloc(st->rows, st->cap * sizeof(*st->rows)))
		    == NULL)
			die_sys("out of memory");
	}
	if ((st->rows[st->n].metric = strdup(metric)) == NULL)
		die_sys("out of memory");
	return &st->rows[st->n++];
}

void
stats_u64(struct stats *st, const char *metric, uint64_t v)
{
	struct stat_row *r = row_for(st, metric);

	if (asprintf(&r->value, "%llu", (unsigned long long)v) == -1)
		die_sys("out of memory");
}

void
stats_str(struct stats *st, const char *metric, const char *fmt, ...)
{
	struct stat_row *r = row_for(st, metric);
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&r->value, fmt, ap);
	va_end(ap);
	if (rc == -1)
		die_sys("out of memory");
}

void
stats_write(const struct stats *st, const char *path)
{
	struct out o;
	size_t i;

	if (path == NULL)
		return;
	out_open(&o, path);
	out_str(&o, "tool\tmetric\tvalue\n");
	for (i = 0; i < st->n; i++) {
		out_str(&o, progname);
		out_byte(&o, '\t');
		out_str(&o, st->rows[i].metric);
		out_byte(&o, '\t');
		out_str(&o, st->rows[i].value);
		out_byte(&o, '\n');
	}
	out_close(&o);
}

void
stats_counters(const struct stats *st)
{
	size_t i;
	char *end;

	for (i = 0; i < st->n; i++) {
		strtoull(st->rows[i].value, &end, 10);
		if (*st->rows[i].value != '\0' && *end == '\0')
			fprintf(stderr, "reporter:counter:%s,%s,%s\n", progname,
			    st->rows[i].metric, st->rows[i].value);
	}
}
