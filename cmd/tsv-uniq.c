/*
 * tsv-uniq - keep the first row of each distinct key, in input order (what
 * awk '!seen[$0]++' does).  The key is some fields joined by TAB, or the
 * whole line.  With --within the keys seen are forgotten whenever the
 * --within fields change, so input grouped by them streams in memory
 * bounded by its longest run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "cli.h"
#include "fieldlist.h"
#include "fieldscan.h"
#include "keyset.h"
#include "msg.h"
#include "out.h"
#include "progress.h"
#include "rowkey.h"
#include "stats.h"
#include "tsv.h"

/*
 * The keys of a --within run are first kept in a list and compared one by
 * one: runs of principals by title are ~10 rows, and a few compares of a
 * word and a short memcmp beat a hash set per run.  On 2 M generated rows
 * in runs of 10 (-f 1,2 --within 3, user CPU): 0.09 s against 0.14 s with
 * a keyset per run for 20-byte keys, 0.09 s against 0.28 s for two MD5
 * keys.  A run that reaches RUN_KEYS distinct keys moves them into a
 * keyset for the rest of the run.
 */
#define RUN_KEYS	64

/* A key of the current run: its bytes in keys, its last 8 bytes. */
struct runkey {
	size_t		 off, len;
	uint64_t	 tail;
};

struct uniq {
	struct cli	 cli;
	struct fieldlist key;		/* -f; n == 0: the whole line */
	struct fieldlist within;	/* --within; n == 0: none */
	int		 key_span, within_span;	/* adjacent, in order */
	size_t		 nfields;	/* expected per row; 0 = first row's */
	size_t		 need;		/* leading fields to locate */
	struct slice	*fv;		/* room for them */
	struct bytes	 kbuf, wbuf;	/* a key, a --within value, built */
	struct keyset	 seen;		/* every key, or a long run's */
	int		 in_set;	/* the current run's keys are in seen */
	struct bytes	 run;		/* the current run's --within value */
	struct bytes	 keys;		/* its keys, back to back */
	struct runkey	 ent[RUN_KEYS];
	size_t		 nent;
	struct out	 out;
	struct stats	 st;
	uint64_t	 rows_in, rows_out, dups, runs;
};

static void	 setup(struct uniq *, const char *, const char *,
		    const struct header *);
static void	 uniq_row(struct uniq *, const struct tsv_in *, struct slice);
static void	 first_row(struct uniq *, const struct tsv_in *, size_t);
static void	 run_check(struct uniq *, struct slice);
static int	 run_insert(struct uniq *, struct slice);
static void	 run_spill(struct uniq *);
static uint64_t	 key_tail(struct slice);
static void	 usage(FILE *);

enum { OPT_WITHIN = CLI_FIRST_TOOL_OPTION };

static const struct option longopts[] = {
	CLI_LONGOPTS,
	{ "fields",	required_argument,	NULL, 'f' },
	{ "within",	required_argument,	NULL, OPT_WITHIN },
	{ "output",	required_argument,	NULL, 'o' },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char *argv[])
{
	struct uniq u = { 0 };
	struct tsv_in t;
	struct header hdr, *hp = NULL;
	struct slice line;
	struct progress prog;
	const char *fields = NULL, *within = NULL, *output = NULL;
	int ch;

	msg_init(argv[0]);
	u.cli.usage = usage;
	while ((ch = getopt_long(argc, argv, "Nf:o:", longopts, NULL)) != -1) {
		if (cli_common(&u.cli, ch, optarg))
			continue;
		switch (ch) {
		case 'f':
			fields = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_WITHIN:
			within = optarg;
			break;
		}
	}
	argc -= optind;
	argv += optind;

	tsv_open(&t, argv, argc, u.cli.no_header ? 0 : TSV_HEADER);
	if (!u.cli.no_header) {
		header_init(&hdr, t.header, t.header_len);
		hp = &hdr;
		u.nfields = hdr.names.n;
	}
	setup(&u, fields, within, hp);
	out_open(&u.out, output);
	if (hp != NULL) {
		out_write(&u.out, t.header, t.header_len);
		out_byte(&u.out, '\n');
	}

	progress_start(&prog, u.cli.progress, t.npaths == 1 ?
	    input_size(t.in) : -1);
	while (tsv_next(&t, &line)) {
		u.rows_in++;
		uniq_row(&u, &t, line);
		progress_row(&prog, u.rows_in, t.bytes, t.raw_bytes +
		    (t.in != NULL ? input_raw_bytes(t.in) : 0));
	}
	progress_end(&prog, u.rows_in, t.bytes, t.raw_bytes);
	out_close(&u.out);

	stats_u64(&u.st, "rows_in", u.rows_in);
	stats_u64(&u.st, "rows_out", u.rows_out);
	stats_u64(&u.st, "duplicates", u.dups);
	if (u.within.n > 0)
		stats_u64(&u.st, "runs", u.runs);
	stats_u64(&u.st, "bytes_in", t.bytes);
	if (u.cli.counters)
		stats_counters(&u.st);
	stats_write(&u.st, u.cli.stats);
	tsv_close(&t);
	return 0;
}

/* Resolve -f and --within against the header (H NULL: -N) and size buffers. */
static void
setup(struct uniq *u, const char *fields, const char *within,
    const struct header *h)
{
	if (fields != NULL) {
		fieldlist_parse(&u->key, fields, h, "-f");
		u->key_span = fieldlist_is_span(&u->key);
	}
	if (within != NULL) {
		fieldlist_parse(&u->within, within, h, "--within");
		u->within_span = fieldlist_is_span(&u->within);
	}
	u->need = u->key.max > u->within.max ? u->key.max : u->within.max;
	if ((u->fv = calloc(u->need + 1, sizeof(*u->fv))) == NULL)
		die_sys("out of memory");
	/* never NULL: memcmp and memcpy get real buffers, also when empty */
	bytes_put(&u->kbuf, NULL, 0);
	bytes_put(&u->wbuf, NULL, 0);
	bytes_put(&u->run, NULL, 0);
	bytes_put(&u->keys, NULL, 0);
	kset_init(&u->seen, 0);
}

/*
 * One row: check its width, start a new run when its --within value
 * changed, and write it if its key is new (in the run, or at all).
 */
static void
uniq_row(struct uniq *u, const struct tsv_in *t, struct slice line)
{
	struct slice key = line;
	size_t nf;
	int isnew;

	nf = fields_lead(line.p, line.n, u->fv, u->need);
	if (u->nfields == 0)
		first_row(u, t, nf);
	if (nf != u->nfields)
		die_at(t->name, t->line, "expected %zu fields, found %zu",
		    u->nfields, nf);
	if (u->key.n > 0)
		key = rowkey(&u->key, u->key_span, u->fv, &u->kbuf);
	if (u->within.n > 0) {
		run_check(u, rowkey(&u->within, u->within_span, u->fv,
		    &u->wbuf));
		isnew = run_insert(u, key);
	} else
		isnew = kset_insert(&u->seen, key.p, key.n);
	if (!isnew) {
		u->dups++;
		return;
	}
	out_write(&u->out, line.p, line.n);
	out_byte(&u->out, '\n');
	u->rows_out++;
}

/* Headerless input: the first row sets the width, and the lists must fit. */
static void
first_row(struct uniq *u, const struct tsv_in *t, size_t nf)
{
	if (u->key.max > nf)
		die_at(t->name, t->line, "-f: field %zu is past the last "
		    "field (%zu)", u->key.max, nf);
	if (u->within.max > nf)
		die_at(t->name, t->line, "--within: field %zu is past the "
		    "last field (%zu)", u->within.max, nf);
	u->nfields = nf;
}

/* W is a row's --within value: a new run begins where it differs. */
static void
run_check(struct uniq *u, struct slice w)
{
	if (u->runs > 0 && w.n == u->run.len &&
	    memcmp(w.p, u->run.p, w.n) == 0)
		return;
	u->runs++;
	u->run.len = 0;
	bytes_put(&u->run, w.p, w.n);
	u->nent = 0;
	u->keys.len = 0;
	if (u->in_set) {
		/* freed, not cleared: one long run must not slow the rest */
		kset_free(&u->seen);
		kset_init(&u->seen, 0);
		u->in_set = 0;
	}
}

/*
 * 1 when KEY is new in the current run (it is now in).  The keys of a run
 * often start alike (the title they share), so the last 8 bytes and the
 * length reject most unequal keys before a memcmp.
 */
static int
run_insert(struct uniq *u, struct slice key)
{
	uint64_t tail;
	struct runkey *e;
	size_t i;

	if (u->in_set)
		return kset_insert(&u->seen, key.p, key.n);
	tail = key_tail(key);
	for (i = 0; i < u->nent; i++) {
		e = &u->ent[i];
		if (e->tail == tail && e->len == key.n &&
		    memcmp(u->keys.p + e->off, key.p, key.n) == 0)
			return 0;
	}
	if (u->nent == RUN_KEYS) {
		run_spill(u);
		return kset_insert(&u->seen, key.p, key.n);
	}
	e = &u->ent[u->nent++];
	e->off = u->keys.len;
	e->len = key.n;
	e->tail = tail;
	bytes_put(&u->keys, key.p, key.n);
	return 1;
}

/* The run outgrew the list: its keys go into the keyset. */
static void
run_spill(struct uniq *u)
{
	size_t i;

	for (i = 0; i < u->nent; i++)
		kset_insert(&u->seen, u->keys.p + u->ent[i].off,
		    u->ent[i].len);
	u->in_set = 1;
}

/* The last 8 bytes of KEY (all of a shorter one, zero-padded). */
static uint64_t
key_tail(struct slice key)
{
	uint64_t v = 0;

	if (key.n >= 8)
		memcpy(&v, key.p + key.n - 8, 8);
	else if (key.n > 0)
		memcpy(&v, key.p, key.n);
	return v;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s [-N] [-f FIELDS] [--within FIELDS] "
	    "[--stats FILE] [--progress]\n"
	    "                [--counters] [-o FILE] [FILE ...]\n", progname);
}
