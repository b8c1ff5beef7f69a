/*
 * surrogate-key - add MD5 surrogate keys to TSV rows, the way dbt_utils'
 * generate_surrogate_key makes them: the fields' values joined by '-', a
 * null (\N) field replaced by _dbt_utils_surrogate_key_null_, MD5 as 32
 * lowercase hex digits.
 *
 * Rows go through in batches so the keys of many rows can be hashed together
 * by the multi-lane MD5 (md5x.h):
 *   1. each row is split, each -k's key bytes are built and compared with the
 *      previous row's key bytes for that -k: equal (a run, such as principals
 *      grouped by tconst) reuses that job, otherwise a new hash job is queued;
 *   2. the row is copied into the batch (the reader's buffer moves on);
 *   3. when the batch is full, every queued job is hashed at once and the
 *      rows are written with their keys.
 * Output is identical to hashing row by row; only the order of work changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "digest.h"
#include "fieldlist.h"
#include "md5x.h"
#include "msg.h"
#include "out.h"
#include "progress.h"
#include "stats.h"
#include "tsv.h"

/*
 * 1024 rows keep a batch's padded blocks (64 bytes a job) and row copies in
 * L2; the byte limit bounds memory when rows are long.
 */
#define BATCH_ROWS	1024
#define BATCH_BYTES	(4u << 20)

/* A job number in a row's slot: short (md5x) jobs, long ones, or carried. */
#define SLOT_LONG	0x80000000u	/* OR-ed onto the index of a long job */
#define SLOT_CARRY	0xffffffffu	/* the previous batch's last key */

enum position { POS_LAST, POS_FIRST, POS_REPLACE };

struct key {
	const char	*name;		/* output column name */
	const char	*spec;		/* the FIELDS part of -k */
	struct fieldlist fl;
	char		*build;		/* key bytes of the current row */
	size_t		 build_cap;
	char		*prev;		/* key bytes of the previous row */
	size_t		 prev_n, prev_cap;
	int		 have_prev;
	uint32_t	 last;		/* slot of the previous row's key */
	char		 carry[32];	/* hex of SLOT_CARRY */
	uint32_t	*slot;		/* per row of the batch */
};

struct batch {
	char		*rows;		/* copies of the batch's lines */
	size_t		 rows_len, rows_cap;
	size_t		 off[BATCH_ROWS + 1];	/* line r is [off[r], off[r+1]) */
	size_t		 n;
	unsigned char	*blocks;	/* padded one-block messages */
	char		*hex;		/* their digests, 32 each */
	size_t		 nshort;
	char		*long_bytes;	/* messages over MD5X_MAX_LEN bytes */
	size_t		 long_len, long_cap;
	size_t		*long_off;	/* long job j is [long_off[j], [j+1]) */
	char		*long_hex;
	size_t		 nlong;
};

struct sk {
	struct cli	 cli;
	struct key	*keys;
	size_t		 nkeys;
	enum position	 pos;
	int		 memo;
	long		*replaced_by;	/* --replace: key index per field, or -1 */
	size_t		 nreplaced;	/* entries in replaced_by */
	size_t		 nfields;	/* every row must have this many */
	struct batch	 b;
	struct fields	 fv;
	struct out	 out;
	uint64_t	 rows_in, rows_out, hashed, memoised, long_keys;
};

static void	 parse_key(struct sk *, const char *);
static void	 resolve_keys(struct sk *, const struct header *);
static void	 check_names(struct sk *, const struct header *);
static void	 check_first_row(struct sk *, const struct tsv_in *);
static void	 batch_init(struct sk *);
static void	 add_row(struct sk *, struct slice);
static void	 flush_batch(struct sk *);
static void	 write_header(struct sk *, const char *, size_t);
static void	 write_stats(const struct sk *, const struct tsv_in *);
static enum md5x_engine engine_by_name(const char *);
static void	 usage(FILE *);

enum { OPT_POSITION = CLI_FIRST_TOOL_OPTION, OPT_REPLACE, OPT_ENGINE,
    OPT_NO_MEMO };

static const struct option longopts[] = {
	CLI_LONGOPTS,
	{ "key",	required_argument,	NULL, 'k' },
	{ "position",	required_argument,	NULL, OPT_POSITION },
	{ "replace",	no_argument,		NULL, OPT_REPLACE },
	{ "engine",	required_argument,	NULL, OPT_ENGINE },
	{ "no-memo",	no_argument,		NULL, OPT_NO_MEMO },
	{ "output",	required_argument,	NULL, 'o' },
	{ NULL, 0, NULL, 0 }
};


int
main(int argc, char *argv[])
{
	struct sk s = { .memo = 1 };
	struct tsv_in t;
	struct slice line;
	struct progress prog;
	struct header hdr;
	const char *output = NULL, *position = NULL, *engine = "auto";
	int ch, replace = 0;

	msg_init(argv[0]);
	s.cli.usage = usage;
	while ((ch = getopt_long(argc, argv, "Nk:o:", longopts, NULL)) != -1) {
		if (cli_common(&s.cli, ch, optarg))
			continue;
		switch (ch) {
		case 'k':
			parse_key(&s, optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_POSITION:
			position = optarg;
			break;
		case OPT_REPLACE:
			replace = 1;
			break;
		case OPT_ENGINE:
			engine = optarg;
			break;
		case OPT_NO_MEMO:
			s.memo = 0;
			break;
		}
	}
	argc -= optind;
	argv += optind;

	if (s.nkeys == 0)
		die_usage("missing -k NAME=FIELDS (at least one key is "
		    "required)");
	if (replace && position != NULL)
		die_usage("--replace and --position cannot be used together "
		    "(a replacing key takes its field's place)");
	if (position == NULL || strcmp(position, "last") == 0)
		s.pos = replace ? POS_REPLACE : POS_LAST;
	else if (strcmp(position, "first") == 0)
		s.pos = POS_FIRST;
	else
		die_usage("--position: invalid value '%s' (expected first or "
		    "last)", position);
	if (!md5x_select(engine_by_name(engine)))
		die_usage("--engine: %s is not supported by this CPU", engine);

	tsv_open(&t, argv, argc, s.cli.no_header ? 0 : TSV_HEADER);
	if (!s.cli.no_header) {
		header_init(&hdr, t.header, t.header_len);
		s.nfields = hdr.names.n;
		resolve_keys(&s, &hdr);
		check_names(&s, &hdr);
	} else
		resolve_keys(&s, NULL);
	out_open(&s.out, output);
	if (!s.cli.no_header)
		write_header(&s, t.header, t.header_len);
	batch_init(&s);

	progress_start(&prog, s.cli.progress, t.npaths == 1 ?
	    input_size(t.in) : -1);
	while (tsv_next(&t, &line)) {
		s.rows_in++;
		tsv_split(&s.fv, line.p, line.n);
		if (s.nfields == 0)
			check_first_row(&s, &t);
		if (s.fv.n != s.nfields)
			die_at(t.name, t.line, "expected %zu fields, found %zu",
			    s.nfields, s.fv.n);
		add_row(&s, line);
		if (s.b.n == BATCH_ROWS || s.b.rows_len >= BATCH_BYTES)
			flush_batch(&s);
		progress_row(&prog, s.rows_in, t.bytes, t.raw_bytes +
		    (t.in != NULL ? input_raw_bytes(t.in) : 0));
	}
	flush_batch(&s);
	progress_end(&prog, s.rows_in, t.bytes, t.raw_bytes);
	out_close(&s.out);
	write_stats(&s, &t);
	return 0;
}

/* -k NAME=FIELDS: the name is checked here, the fields once a header is read. */
static void
parse_key(struct sk *s, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct key *k;
	char *name;

	if (eq == NULL || eq == arg || eq[1] == '\0')
		die_usage("-k: invalid key '%s' (expected NAME=FIELDS)", arg);
	if (strpbrk(arg, "\t\n\r") != NULL)
		die_usage("-k: invalid key '%s' (TAB, CR or LF in a name or "
		    "field list)", arg);
	if ((s->keys = realloc(s->keys, (s->nkeys + 1) * sizeof(*s->keys)))
	    == NULL || (name = strndup(arg, eq - arg)) == NULL)
		die_sys("out of memory");
	k = &s->keys[s->nkeys++];
	memset(k, 0, sizeof(*k));
	k->name = name;
	k->spec = eq + 1;
}

/* Field lists to indexes; H is NULL for -N (numbers only). */
static void
resolve_keys(struct sk *s, const struct header *h)
{
	struct key *k;
	size_t i;
	char opt[64];

	for (k = s->keys; k < s->keys + s->nkeys; k++) {
		snprintf(opt, sizeof(opt), "-k %.40s", k->name);
		fieldlist_parse(&k->fl, k->spec, h, opt);
		if (s->pos == POS_REPLACE && k->fl.n != 1)
			die_usage("--replace: -k %s=%s has %zu fields (expected "
			    "exactly one, the field it replaces)", k->name,
			    k->spec, k->fl.n);
	}
	if (s->pos != POS_REPLACE)
		return;
	for (i = 0; i < s->nkeys; i++)
		if (s->keys[i].fl.max > s->nreplaced) {
			s->replaced_by = realloc(s->replaced_by,
			    s->keys[i].fl.max * sizeof(*s->replaced_by));
			if (s->replaced_by == NULL)
				die_sys("out of memory");
			while (s->nreplaced < s->keys[i].fl.max)
				s->replaced_by[s->nreplaced++] = -1;
		}
	for (i = 0; i < s->nkeys; i++) {
		size_t f = s->keys[i].fl.idx[0];

		if (s->replaced_by[f] != -1)
			die_usage("--replace: field %zu is replaced by both -k "
			    "%s and -k %s", f + 1,
			    s->keys[s->replaced_by[f]].name, s->keys[i].name);
		s->replaced_by[f] = (long)i;
	}
}

/*
 * New column names must be unique in the output header: not given twice,
 * not already a column (unless --replace puts the key in that very column).
 */
static void
check_names(struct sk *s, const struct header *h)
{
	size_t i, j;
	long col;

	for (i = 0; i < s->nkeys; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(s->keys[i].name, s->keys[j].name) == 0)
				die_usage("-k: column name '%s' given twice",
				    s->keys[i].name);
		col = header_find(h, s->keys[i].name,
		    strlen(s->keys[i].name));
		if (col >= 0 && !(s->pos == POS_REPLACE &&
		    s->keys[i].fl.idx[0] == (size_t)col))
			die_usage("-k %s: column '%s' is already in the header",
			    s->keys[i].name, s->keys[i].name);
		if (s->pos == POS_REPLACE)
			for (j = 0; j < s->nkeys; j++)
				if (j != i && col >= 0 &&
				    s->keys[j].fl.idx[0] == (size_t)col)
					die_usage("-k %s: column '%s' is "
					    "replaced by -k %s",
					    s->keys[i].name, s->keys[i].name,
					    s->keys[j].name);
	}
}

/* Headerless input: the first row fixes the field count. */
static void
check_first_row(struct sk *s, const struct tsv_in *t)
{
	size_t i;

	s->nfields = s->fv.n;
	for (i = 0; i < s->nkeys; i++)
		if (s->keys[i].fl.max > s->nfields)
			die(EXIT_USAGE, "%s:%llu: -k %s: field %zu is past the "
			    "last field (%zu)", t->name,
			    (unsigned long long)t->line, s->keys[i].name,
			    s->keys[i].fl.max, s->nfields);
}

static void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n)) == NULL)
		die_sys("out of memory");
	return p;
}

/*
 * Grow *P to hold at least N bytes (doubling: a few times per run, not per
 * row).  Never leaves *P NULL, even for N == 0: memcpy wants a real pointer.
 */
static void
reserve(char **p, size_t *cap, size_t n)
{
	if (*p != NULL && n <= *cap)
		return;
	while (*cap < n)
		*cap = *cap ? *cap * 2 : 256;
	if ((*p = realloc(*p, *cap)) == NULL)
		die_sys("out of memory");
}

static void
batch_init(struct sk *s)
{
	struct batch *b = &s->b;
	size_t jobs = (size_t)BATCH_ROWS * s->nkeys, i;

	if ((b->blocks = aligned_alloc(64, jobs * 64)) == NULL)
		die_sys("out of memory");
	b->hex = xmalloc(jobs * 32);
	b->long_off = xmalloc((jobs + 1) * sizeof(*b->long_off));
	b->long_hex = xmalloc(jobs * 32);
	reserve(&b->rows, &b->rows_cap, 1 << 16);
	for (i = 0; i < s->nkeys; i++) {
		s->keys[i].slot = xmalloc(BATCH_ROWS *
		    sizeof(*s->keys[i].slot));
		s->keys[i].last = SLOT_CARRY;
	}
}

static inline int
is_null(struct slice v)
{
	return v.n == 2 && v.p[0] == '\\' && v.p[1] == 'N';
}

/*
 * The key bytes of K in the current row: a lone non-null field is used where
 * it lies; anything else is joined into K->build.
 */
static struct slice
key_bytes(struct sk *s, struct key *k)
{
	static const char null_sub[] = SK_NULL;
	const size_t null_len = sizeof(null_sub) - 1;
	struct slice v, r;
	size_t i, n = 0;
	char *p;

	if (k->fl.n == 1 && !is_null(s->fv.f[k->fl.idx[0]]))
		return s->fv.f[k->fl.idx[0]];
	for (i = 0; i < k->fl.n; i++) {
		v = s->fv.f[k->fl.idx[i]];
		n += (is_null(v) ? null_len : v.n) + (i > 0);
	}
	reserve(&k->build, &k->build_cap, n);
	for (p = k->build, i = 0; i < k->fl.n; i++) {
		v = s->fv.f[k->fl.idx[i]];
		if (i > 0)
			*p++ = '-';
		if (is_null(v)) {
			v.p = null_sub;
			v.n = null_len;
		}
		memcpy(p, v.p, v.n);
		p += v.n;
	}
	r.p = k->build;
	r.n = n;
	return r;
}

/* Queue a hash of K's key bytes (already in K->prev); returns its slot. */
static uint32_t
queue_job(struct sk *s, struct key *k)
{
	struct batch *b = &s->b;

	s->hashed++;
	if (k->prev_n <= MD5X_MAX_LEN) {
		md5x_pad(b->blocks + 64 * b->nshort, k->prev, k->prev_n);
		return (uint32_t)b->nshort++;
	}
	s->long_keys++;
	reserve(&b->long_bytes, &b->long_cap, b->long_len + k->prev_n);
	memcpy(b->long_bytes + b->long_len, k->prev, k->prev_n);
	b->long_off[b->nlong] = b->long_len;
	b->long_len += k->prev_n;
	b->long_off[b->nlong + 1] = b->long_len;
	return SLOT_LONG | (uint32_t)b->nlong++;
}

/* Steps 1 and 2 of the batch (see the top of the file) for one row. */
static void
add_row(struct sk *s, struct slice line)
{
	struct batch *b = &s->b;
	struct key *k;
	struct slice v;

	for (k = s->keys; k < s->keys + s->nkeys; k++) {
		v = key_bytes(s, k);
		if (s->memo && k->have_prev && v.n == k->prev_n &&
		    memcmp(v.p, k->prev, v.n) == 0) {
			s->memoised++;
		} else {
			reserve(&k->prev, &k->prev_cap, v.n);
			memcpy(k->prev, v.p, v.n);
			k->prev_n = v.n;
			k->have_prev = 1;
			k->last = queue_job(s, k);
		}
		k->slot[b->n] = k->last;
	}
	reserve(&b->rows, &b->rows_cap, b->rows_len + line.n);
	memcpy(b->rows + b->rows_len, line.p, line.n);
	b->off[b->n] = b->rows_len;
	b->rows_len += line.n;
	b->off[++b->n] = b->rows_len;
}

static const char *
slot_hex(const struct sk *s, const struct key *k, uint32_t slot)
{
	if (slot == SLOT_CARRY)
		return k->carry;
	if (slot & SLOT_LONG)
		return s->b.long_hex + 32 * (slot & ~SLOT_LONG);
	return s->b.hex + 32 * slot;
}

static void
write_row(struct sk *s, size_t r)
{
	struct batch *b = &s->b;
	const char *line = b->rows + b->off[r];
	size_t n = b->off[r + 1] - b->off[r], i;
	long kx;

	switch (s->pos) {
	case POS_LAST:
		out_write(&s->out, line, n);
		for (i = 0; i < s->nkeys; i++) {
			out_byte(&s->out, '\t');
			out_write(&s->out, slot_hex(s, &s->keys[i],
			    s->keys[i].slot[r]), 32);
		}
		break;
	case POS_FIRST:
		for (i = 0; i < s->nkeys; i++) {
			out_write(&s->out, slot_hex(s, &s->keys[i],
			    s->keys[i].slot[r]), 32);
			out_byte(&s->out, '\t');
		}
		out_write(&s->out, line, n);
		break;
	case POS_REPLACE:
		tsv_split(&s->fv, line, n);
		for (i = 0; i < s->fv.n; i++) {
			if (i > 0)
				out_byte(&s->out, '\t');
			kx = i < s->nreplaced ? s->replaced_by[i] : -1;
			if (kx >= 0)
				out_write(&s->out, slot_hex(s, &s->keys[kx],
				    s->keys[kx].slot[r]), 32);
			else
				out_write(&s->out, s->fv.f[i].p, s->fv.f[i].n);
		}
		break;
	}
	out_byte(&s->out, '\n');
	s->rows_out++;
}

/* Step 3: hash every queued job, write the rows, carry each key's last hex. */
static void
flush_batch(struct sk *s)
{
	struct batch *b = &s->b;
	struct key *k;
	size_t i;

	md5x_hex(b->blocks, b->nshort, b->hex);
	for (i = 0; i < b->nlong; i++)
		md5_hex(b->long_bytes + b->long_off[i], b->long_off[i + 1] -
		    b->long_off[i], b->long_hex + 32 * i);
	for (i = 0; i < b->n; i++)
		write_row(s, i);
	for (k = s->keys; k < s->keys + s->nkeys; k++) {
		if (k->last != SLOT_CARRY)
			memcpy(k->carry, slot_hex(s, k, k->last), 32);
		k->last = SLOT_CARRY;
	}
	b->n = b->nshort = b->nlong = b->rows_len = b->long_len = 0;
}

static void
write_header(struct sk *s, const char *h, size_t n)
{
	struct fields fv = { 0 };
	size_t i;
	long kx;

	switch (s->pos) {
	case POS_LAST:
		out_write(&s->out, h, n);
		for (i = 0; i < s->nkeys; i++) {
			out_byte(&s->out, '\t');
			out_str(&s->out, s->keys[i].name);
		}
		break;
	case POS_FIRST:
		for (i = 0; i < s->nkeys; i++) {
			out_str(&s->out, s->keys[i].name);
			out_byte(&s->out, '\t');
		}
		out_write(&s->out, h, n);
		break;
	case POS_REPLACE:
		tsv_split(&fv, h, n);
		for (i = 0; i < fv.n; i++) {
			if (i > 0)
				out_byte(&s->out, '\t');
			kx = i < s->nreplaced ? s->replaced_by[i] : -1;
			if (kx >= 0)
				out_str(&s->out, s->keys[kx].name);
			else
				out_write(&s->out, fv.f[i].p, fv.f[i].n);
		}
		fields_free(&fv);
		break;
	}
	out_byte(&s->out, '\n');
}

static void
write_stats(const struct sk *s, const struct tsv_in *t)
{
	struct stats st = { 0 };

	if (s->cli.stats == NULL && !s->cli.counters)
		return;
	stats_u64(&st, "rows_in", s->rows_in);
	stats_u64(&st, "rows_out", s->rows_out);
	stats_u64(&st, "rows_rejected", 0);
	stats_u64(&st, "bytes_in", t->bytes);
	stats_u64(&st, "keys", s->nkeys);
	stats_u64(&st, "keys_hashed", s->hashed);
	stats_u64(&st, "keys_memoised", s->memoised);
	stats_u64(&st, "keys_long", s->long_keys);
	stats_str(&st, "md5_engine", "%s", md5x_engine_name());
	if (s->cli.counters)
		stats_counters(&st);
	stats_write(&st, s->cli.stats);
}

static enum md5x_engine
engine_by_name(const char *name)
{
	if (strcmp(name, "auto") == 0)
		return MD5X_AUTO;
	if (strcmp(name, "scalar") == 0)
		return MD5X_SCALAR;
	if (strcmp(name, "avx2") == 0)
		return MD5X_AVX2;
	if (strcmp(name, "avx512") == 0)
		return MD5X_AVX512;
	die_usage("--engine: invalid value '%s' (expected auto, scalar, avx2 "
	    "or avx512)", name);
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s [-N] -k NAME=FIELDS [-k NAME=FIELDS ...] "
	    "[--position first|last] [--replace]\n"
	    "                     [--engine auto|scalar|avx2|avx512] "
	    "[--no-memo] [--stats FILE] [--progress]\n"
	    "                     [-o FILE] [FILE ...]\n", progname);
}
