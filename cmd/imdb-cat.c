/*
 * imdb-cat - the ingress gate: read IMDb TSV files (plain or gzip), check
 * every row against the file's schema, and pass the good rows on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bigbuf.h"
#include "cli.h"
#include "digest.h"
#include "fieldlist.h"
#include "hashmap.h"
#include "input.h"
#include "msg.h"
#include "numfmt.h"
#include "out.h"
#include "progress.h"
#include "rejects.h"
#include "scan.h"
#include "stats.h"
#include "tsv.h"

/* Block sizes of the fast path: back to the smallest after a row it left. */
#define SUB_MIN		(4 << 10)
#define SUB_MAX		(64 << 10)

enum check {
	ANY,		/* any bytes */
	TEXT,		/* not empty, not \N */
	TCONST,		/* tt + 7 or more digits */
	NCONST,		/* nm + 7 or more digits */
	BOOL,		/* 0 or 1 */
	BOOL_NULL,	/* 0, 1 or \N */
	INT_NULL,	/* an integer >= 0 or \N */
	POSITIVE,	/* an integer >= 1 */
	RATING,		/* 1.0 to 10.0, one decimal at most */
	VOTES,		/* an integer >= 0 */
	NCONST_LIST,	/* nm ids separated by commas, or \N */
	TCONST_LIST	/* tt ids separated by commas, or \N */
};

struct column {
	const char	*name;
	enum check	 check;
};

struct schema {
	const char		*name;
	size_t			 nkey;	/* leading columns that form the key */
	const struct column	*cols;
	size_t			 ncols;
};

#define COLS(a)	a, sizeof(a) / sizeof(a[0])

static const struct column title_basics[] = {
	{ "tconst", TCONST }, { "titleType", TEXT }, { "primaryTitle", ANY },
	{ "originalTitle", ANY }, { "isAdult", BOOL }, { "startYear", INT_NULL },
	{ "endYear", INT_NULL }, { "runtimeMinutes", INT_NULL },
	{ "genres", ANY }
};
static const struct column title_ratings[] = {
	{ "tconst", TCONST }, { "averageRating", RATING }, { "numVotes", VOTES }
};
static const struct column title_principals[] = {
	{ "tconst", TCONST }, { "ordering", POSITIVE }, { "nconst", NCONST },
	{ "category", TEXT }, { "job", ANY }, { "characters", ANY }
};
static const struct column name_basics[] = {
	{ "nconst", NCONST }, { "primaryName", ANY }, { "birthYear", INT_NULL },
	{ "deathYear", INT_NULL }, { "primaryProfession", ANY },
	{ "knownForTitles", TCONST_LIST }
};
static const struct column title_crew[] = {
	{ "tconst", TCONST }, { "directors", NCONST_LIST },
	{ "writers", NCONST_LIST }
};
static const struct column title_episode[] = {
	{ "tconst", TCONST }, { "parentTconst", TCONST },
	{ "seasonNumber", INT_NULL }, { "episodeNumber", INT_NULL }
};
static const struct column title_akas[] = {
	{ "titleId", TCONST }, { "ordering", POSITIVE }, { "title", ANY },
	{ "region", ANY }, { "language", ANY }, { "types", ANY },
	{ "attributes", ANY }, { "isOriginalTitle", BOOL_NULL }
};

static const struct schema schemas[] = {
	{ "title.basics", 1, COLS(title_basics) },
	{ "title.ratings", 1, COLS(title_ratings) },
	{ "title.principals", 2, COLS(title_principals) },
	{ "name.basics", 1, COLS(name_basics) },
	{ "title.crew", 1, COLS(title_crew) },
	{ "title.episode", 1, COLS(title_episode) },
	{ "title.akas", 2, COLS(title_akas) },
};
#define NSCHEMAS	(sizeof(schemas) / sizeof(schemas[0]))

/*
 * --unique's first keys that came in rising byte order, as key_code()s,
 * each with the line it was first seen on and its orderings seen.  IMDb's
 * files are sorted so: they never touch the hash, where a key out of order
 * goes.
 */
struct keyrun {
	uint64_t	*num, *line, *bits;
	size_t		 n, cap;
};

struct cat {
	struct cli		 cli;
	const struct schema	*schema;	/* NULL: field count only */
	size_t			 nfields;	/* expected per row; 0 = first row's */
	struct fieldlist	 proj;		/* -f */
	int			 project;
	uint64_t		 limit;
	int			 has_limit;
	int			 unique;
	struct hashmap		 seen;		/* --unique: first key column */
	uint64_t		*seen_line;	/* id -> line first seen */
	uint64_t		*seen_bits;	/* id -> orderings 1..64 seen */
	size_t			 seen_cap;
	struct hashmap		 seen2;		/* whole keys, ordering > 64 */
	struct keyrun		 run;		/* --unique: keys in rising order */
	char			 last[32];	/* the previous row's first key */
	size_t			 last_n;	/* 0: none */
	uint64_t		*last_line, *last_bits;	/* its entries */
	int			 fast;		/* rows may take fast_block */
	struct fields		 fv;		/* the fast path's fields */
	struct scanmap		 map;
	size_t			 sub;		/* fast path block size */
	struct rejects		 rej;
	struct out		 out;
	struct stats		 st;
	uint64_t		 rows_in, rows_out, nfiles;
	char			 reason[256];
};

static const struct schema *schema_by_header(const char *, size_t);
static const struct schema *schema_by_name(const char *);
static int	 row_ok(struct cat *, struct tsv_in *, struct fields *,
		    struct slice);
static int	 key_is_new(struct cat *, uint64_t, struct slice, struct slice);
static int	 fast_block(struct cat *, struct tsv_in *, struct slice);
static void	 write_row(struct cat *, struct fields *, struct slice);
static void	 write_header(struct cat *, const char *, size_t);
static void	 file_done(struct tsv_in *, void *);
static void	 usage(FILE *);

enum { OPT_LIMIT = CLI_FIRST_TOOL_OPTION, OPT_SCHEMA, OPT_REJECTS,
    OPT_UNIQUE };

static const struct option longopts[] = {
	CLI_LONGOPTS,
	{ "fields",	required_argument,	NULL, 'f' },
	{ "limit",	required_argument,	NULL, OPT_LIMIT },
	{ "schema",	required_argument,	NULL, OPT_SCHEMA },
	{ "rejects",	required_argument,	NULL, OPT_REJECTS },
	{ "unique",	no_argument,		NULL, OPT_UNIQUE },
	{ "output",	required_argument,	NULL, 'o' },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char *argv[])
{
	struct cat c = { 0 };
	struct tsv_in t;
	struct fields fv = { 0 };
	struct slice line, blk;
	struct progress prog;
	struct header hdr;
	const char *fields = NULL, *schema = "auto", *rejects = NULL;
	const char *output = NULL;
	int ch;

	msg_init(argv[0]);
	c.cli.usage = usage;
	while ((ch = getopt_long(argc, argv, "Nf:o:", longopts, NULL)) != -1) {
		if (cli_common(&c.cli, ch, optarg))
			continue;
		switch (ch) {
		case 'f':
			fields = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_LIMIT:
			c.limit = cli_u64(optarg, "--limit");
			c.has_limit = 1;
			break;
		case OPT_SCHEMA:
			schema = optarg;
			break;
		case OPT_REJECTS:
			rejects = optarg;
			break;
		case OPT_UNIQUE:
			c.unique = 1;
			break;
		}
	}
	argc -= optind;
	argv += optind;

	if (strcmp(schema, "auto") != 0 && strcmp(schema, "none") != 0 &&
	    (c.schema = schema_by_name(schema)) == NULL)
		die_usage("--schema: unknown schema '%s' (expected auto, none, "
		    "title.basics, title.ratings, title.principals, "
		    "name.basics, title.crew, title.episode or title.akas)",
		    schema);
	if (c.cli.no_header && strcmp(schema, "auto") == 0)
		die_usage("--schema auto needs a header: with -N name the "
		    "schema or use --schema none");
	if (c.unique && c.schema == NULL && strcmp(schema, "auto") != 0)
		die_usage("--unique needs a schema to know the key");

	tsv_open(&t, argv, argc, (c.cli.no_header ? 0 : TSV_HEADER) |
	    (c.cli.stats != NULL ? INPUT_SHA256 : 0));
	t.on_file_end = file_done;
	t.cb_arg = &c;
	rejects_open(&c.rej, rejects);
	out_open(&c.out, output);
	if (c.unique)
	{
		hmap_init(&c.seen, 1 << 16);
		hmap_init(&c.seen2, 1 << 10);
	}

	if (!c.cli.no_header) {
		if (strcmp(schema, "auto") == 0 &&
		    (c.schema = schema_by_header(t.header, t.header_len)) == NULL)
			die_at(t.name, 1, "header is not one of the seven IMDb "
			    "files (use --schema none to read any TSV)");
		if (c.schema != NULL &&
		    schema_by_header(t.header, t.header_len) != c.schema)
			die_at(t.name, 1, "header does not match %s",
			    c.schema->name);
		header_init(&hdr, t.header, t.header_len);
		c.nfields = hdr.names.n;
		if (fields != NULL)
			fieldlist_parse(&c.proj, fields, &hdr, "-f");
		c.project = fields != NULL;
		write_header(&c, t.header, t.header_len);
	} else {
		if (c.schema != NULL)
			c.nfields = c.schema->ncols;
		if (fields != NULL)
			fieldlist_parse(&c.proj, fields, NULL, "-f");
	}
	c.project = fields != NULL;
	/* A projection past the last field fails every row: row_ok says so. */
	c.fast = !c.project || c.nfields == 0 || c.proj.max <= c.nfields;
	c.sub = SUB_MAX;
	progress_start(&prog, c.cli.progress, t.npaths == 1 ?
	    input_size(t.in) : -1);
	while (!c.has_limit || c.rows_out < c.limit) {
		if (c.fast && c.nfields > 0 && tsv_peek(&t, &blk)) {
			if (fast_block(&c, &t, blk)) {
				if (prog.on)
					progress_draw(&prog, c.rows_in, t.bytes,
					    t.raw_bytes + input_raw_bytes(t.in));
				continue;
			}
			if (c.has_limit && c.rows_out >= c.limit)
				break;
		}
		if (!tsv_next(&t, &line))
			break;
		c.rows_in++;
		tsv_split(&fv, line.p, line.n);
		if (row_ok(&c, &t, &fv, line))
			write_row(&c, &fv, line);
		else if (c.rej.open)
			rejects_add(&c.rej, t.name, t.line, c.reason,
			    line.p, line.n);
		else
			die_at(t.name, t.line, "%s", c.reason);
		progress_row(&prog, c.rows_in, t.bytes, t.raw_bytes +
		    (t.in != NULL ? input_raw_bytes(t.in) : 0));
	}
	if (c.cli.stats != NULL && t.in != NULL) {
		/* --limit stopped early: the digest still covers whole files. */
		input_drain(t.in);
		file_done(&t, &c);
		for (; t.next < t.npaths; t.next++) {
			struct input *in = input_open(t.paths[t.next],
			    INPUT_SHA256);

			input_drain(in);
			t.in = in;
			file_done(&t, &c);
			input_close(in);
		}
		t.in = NULL;
	}
	progress_end(&prog, c.rows_in, t.bytes, t.raw_bytes);
	out_close(&c.out);
	rejects_close(&c.rej);

	stats_u64(&c.st, "rows_in", c.rows_in);
	stats_u64(&c.st, "rows_out", c.rows_out);
	stats_u64(&c.st, "rows_rejected", c.rej.count);
	stats_u64(&c.st, "bytes_uncompressed", t.bytes);
	stats_str(&c.st, "schema", "%s", c.schema != NULL ? c.schema->name :
	    "none");
	stats_str(&c.st, "inflater", "%s", input_inflater());
	if (c.cli.counters)
		stats_counters(&c.st);
	stats_write(&c.st, c.cli.stats);
	return 0;
}

/*
 * Per-file stats: name, raw bytes and sha256 of the file as given; the
 * second and later files get metrics suffixed _2, _3, ...
 */
static void
file_done(struct tsv_in *t, void *arg)
{
	struct cat *c = arg;
	char hex[65], sfx[24] = "", m[64];

	if (c->cli.stats == NULL || t->in == NULL)
		return;
	if (++c->nfiles > 1)
		snprintf(sfx, sizeof(sfx), "_%llu",
		    (unsigned long long)c->nfiles);
	input_sha256_hex(t->in, hex);
	snprintf(m, sizeof(m), "input_file%s", sfx);
	stats_str(&c->st, m, "%s", input_name(t->in));
	snprintf(m, sizeof(m), "input_bytes%s", sfx);
	stats_u64(&c->st, m, input_raw_bytes(t->in));
	snprintf(m, sizeof(m), "input_sha256%s", sfx);
	stats_str(&c->st, m, "%s", hex);
}

static const struct schema *
schema_by_header(const char *h, size_t n)
{
	size_t i, j, len;
	const char *p;

	for (i = 0; i < NSCHEMAS; i++) {
		p = h;
		for (j = 0; j < schemas[i].ncols; j++) {
			len = strlen(schemas[i].cols[j].name);
			if ((size_t)(h + n - p) < len ||
			    memcmp(p, schemas[i].cols[j].name, len) != 0)
				break;
			p += len;
			if (j + 1 < schemas[i].ncols) {
				if (p == h + n || *p != '\t')
					break;
				p++;
			}
		}
		if (j == schemas[i].ncols && p == h + n)
			return &schemas[i];
	}
	return NULL;
}

static const struct schema *
schema_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < NSCHEMAS; i++)
		if (strcmp(schemas[i].name, name) == 0)
			return &schemas[i];
	return NULL;
}

static int
is_null(struct slice v)
{
	return v.n == 2 && v.p[0] == '\\' && v.p[1] == 'N';
}

static int
is_digits(const char *p, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

static int
is_id(const char *p, size_t n, const char *prefix)
{
	return n >= 9 && p[0] == prefix[0] && p[1] == prefix[1] &&
	    is_digits(p + 2, n - 2);
}

static int
is_id_list(struct slice v, const char *prefix)
{
	const char *p = v.p, *end = v.p + v.n, *comma;

	if (is_null(v))
		return 1;
	for (;;) {
		comma = memchr(p, ',', end - p);
		if (!is_id(p, (comma != NULL ? comma : end) - p, prefix))
			return 0;
		if (comma == NULL)
			return 1;
		p = comma + 1;
	}
}

static int
value_ok(enum check check, struct slice v)
{
	int64_t x;

	switch (check) {
	case ANY:
		return 1;
	case TEXT:
		return v.n > 0 && !is_null(v);
	case TCONST:
		return is_id(v.p, v.n, "tt");
	case NCONST:
		return is_id(v.p, v.n, "nm");
	case BOOL:
		return v.n == 1 && (v.p[0] == '0' || v.p[0] == '1');
	case BOOL_NULL:
		return is_null(v) || (v.n == 1 && (v.p[0] == '0' ||
		    v.p[0] == '1'));
	case INT_NULL:
		return is_null(v) || (v.n <= 18 && is_digits(v.p, v.n));
	case POSITIVE:
		return v.n <= 18 && is_digits(v.p, v.n) &&
		    parse_i64(v.p, v.n, &x) && x >= 1;
	case VOTES:
		return v.n <= 18 && is_digits(v.p, v.n);
	case RATING:
		return v.n <= 4 && v.p[0] != '-' && parse_scaled(v.p, v.n, 1,
		    &x) && x >= 10 && x <= 100;
	case NCONST_LIST:
		return is_id_list(v, "nm");
	case TCONST_LIST:
		return is_id_list(v, "tt");
	}
	return 0;
}

static const char *
expectation(enum check check)
{
	switch (check) {
	case TEXT:
		return "a non-empty value";
	case TCONST:
		return "tt followed by 7 or more digits";
	case NCONST:
		return "nm followed by 7 or more digits";
	case BOOL:
		return "0 or 1";
	case BOOL_NULL:
		return "0, 1 or \\N";
	case INT_NULL:
		return "a non-negative integer or \\N";
	case POSITIVE:
		return "a positive integer";
	case VOTES:
		return "a non-negative integer";
	case RATING:
		return "1.0 to 10.0";
	case NCONST_LIST:
		return "nm ids separated by commas, or \\N";
	case TCONST_LIST:
		return "tt ids separated by commas, or \\N";
	case ANY:
		break;
	}
	return "anything";
}

/* Check a row; on failure c->reason says why. */
static int
row_ok(struct cat *c, struct tsv_in *t, struct fields *fv, struct slice line)
{
	const struct schema *s = c->schema;
	struct slice v;
	size_t i;

	if (c->nfields == 0)
		c->nfields = fv->n;	/* headerless, no schema: first row */
	if (fv->n != c->nfields) {
		snprintf(c->reason, sizeof(c->reason),
		    "expected %zu fields, found %zu", c->nfields, fv->n);
		return 0;
	}
	if (memchr(line.p, '\0', line.n) != NULL) {
		snprintf(c->reason, sizeof(c->reason), "NUL byte in row");
		return 0;
	}
	if (c->project && c->proj.max > fv->n) {
		snprintf(c->reason, sizeof(c->reason), "-f: field %zu is "
		    "past the last field (%zu)", c->proj.max, fv->n);
		return 0;
	}
	if (s == NULL)
		return 1;
	for (i = 0; i < s->ncols; i++) {
		v = fv->f[i];
		if (value_ok(s->cols[i].check, v))
			continue;
		snprintf(c->reason, sizeof(c->reason),
		    "bad %s '%.*s%s' (expected %s)", s->cols[i].name,
		    (int)(v.n > 40 ? 40 : v.n), v.p, v.n > 40 ? "..." : "",
		    expectation(s->cols[i].check));
		return 0;
	}
	if (!c->unique)
		return 1;
	return key_is_new(c, t->line, fv->f[0], fv->f[1]);
}

/*
 * --unique.  A one-column key is held with the line it was first seen on.
 * A (tconst, ordering) key would cost a hash entry per row (98 M for the
 * principals), so the tconst is held once with a bitmap of its orderings
 * 1..64; rarer larger orderings go to a second set of whole keys.
 */
/*
 * A code for an id, PREFIX and 1 to 16 digits, that sorts as the id does
 * in byte order, as IMDb sorts its files: a digit a nibble (1 + its value),
 * left-aligned, 0 after the last.  0 for any other key.
 */
static uint64_t
key_code(struct slice k, const char *prefix)
{
	uint64_t v = 0;
	size_t i;

	if (k.n < 3 || k.n > 18 || k.p[0] != prefix[0] || k.p[1] != prefix[1])
		return 0;
	for (i = 2; i < k.n; i++) {
		if (k.p[i] < '0' || k.p[i] > '9')
			return 0;
		v = v << 4 | (uint64_t)(k.p[i] - '0' + 1);
	}
	return v << 4 * (18 - k.n);
}

/* The entries of a key in the run: 1 found or appended (*ISNEW), 0 not. */
static int
run_find(struct keyrun *r, uint64_t v, size_t *at, int *isnew)
{
	size_t lo = 0, hi = r->n, mid, cap;

	*isnew = 0;
	if (r->n > 0 && v <= r->num[r->n - 1]) {
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (r->num[mid] < v)
				lo = mid + 1;
			else
				hi = mid;
		}
		*at = lo;
		return lo < r->n && r->num[lo] == v;
	}
	if (r->n == r->cap) {
		/* bigbuf: 12 M keys in 4 KiB pages cost 73,000 faults */
		cap = r->cap ? r->cap * 2 : 1 << 16;
		r->num = bigbuf_grow(r->num, r->cap * sizeof(*r->num),
		    cap * sizeof(*r->num));
		r->line = bigbuf_grow(r->line, r->cap * sizeof(*r->line),
		    cap * sizeof(*r->line));
		r->bits = bigbuf_grow(r->bits, r->cap * sizeof(*r->bits),
		    cap * sizeof(*r->bits));
		r->cap = cap;
	}
	r->num[r->n] = v;
	*at = r->n++;
	*isnew = 1;
	return 1;
}

/*
 * The line and orderings entries of a first key, made (*ISNEW) when new:
 * from the last row's key, the run of rising keys, or the hash.
 */
static void
key_entry(struct cat *c, struct slice k1, uint64_t **line, uint64_t **bits,
    int *isnew)
{
	uint64_t v;
	uint32_t id;
	size_t at, cap;

	/* Rows come grouped by their first key: most repeat the last one. */
	if (c->last_n != 0 && k1.n == c->last_n &&
	    memcmp(k1.p, c->last, k1.n) == 0) {
		*line = c->last_line;
		*bits = c->last_bits;
		*isnew = 0;
		return;
	}
	v = key_code(k1, c->schema->cols[0].check == NCONST ? "nm" : "tt");
	if (v != 0 && run_find(&c->run, v, &at, isnew)) {
		*line = &c->run.line[at];
		*bits = &c->run.bits[at];
	} else {
		id = hmap_insert(&c->seen, k1.p, k1.n, isnew);
		if (id >= c->seen_cap) {
			cap = c->seen_cap ? c->seen_cap * 2 : 1 << 16;
			c->seen_line = bigbuf_grow(c->seen_line, c->seen_cap *
			    sizeof(*c->seen_line), cap * sizeof(*c->seen_line));
			c->seen_bits = bigbuf_grow(c->seen_bits, c->seen_cap *
			    sizeof(*c->seen_bits), cap * sizeof(*c->seen_bits));
			c->seen_cap = cap;
		}
		*line = &c->seen_line[id];
		*bits = &c->seen_bits[id];
	}
	/* The pointers stay good until the next new key grows an array. */
	c->last_n = k1.n <= sizeof(c->last) ? k1.n : 0;
	memcpy(c->last, k1.p, c->last_n);
	c->last_line = *line;
	c->last_bits = *bits;
}

static int
key_is_new(struct cat *c, uint64_t lineno, struct slice k1, struct slice k2)
{
	uint64_t *line, *bits;
	int64_t ord = 0;
	size_t i;
	int isnew;

	key_entry(c, k1, &line, &bits, &isnew);
	if (isnew) {
		*line = lineno;
		*bits = 0;
	}
	if (c->schema->nkey == 1) {
		if (isnew)
			return 1;
		snprintf(c->reason, sizeof(c->reason),
		    "duplicate key '%.*s' (first seen on line %llu)",
		    (int)(k1.n > 40 ? 40 : k1.n), k1.p,
		    (unsigned long long)*line);
		return 0;
	}
	for (i = 0; i < k2.n; i++)	/* checked: 1 to 18 digits */
		ord = ord * 10 + (k2.p[i] - '0');
	if (ord <= 64) {
		if (!(*bits & (UINT64_C(1) << (ord - 1)))) {
			*bits |= UINT64_C(1) << (ord - 1);
			return 1;
		}
	} else {
		/* k1, TAB, k2: the row's first bytes */
		hmap_insert(&c->seen2, k1.p, k2.p + k2.n - k1.p, &isnew);
		if (isnew)
			return 1;
	}
	snprintf(c->reason, sizeof(c->reason),
	    "duplicate key '%.*s' with %s %.*s",
	    (int)(k1.n > 40 ? 40 : k1.n), k1.p, c->schema->cols[1].name,
	    (int)(k2.n > 20 ? 20 : k2.n), k2.p);
	return 0;
}

/*
 * The fast path's test of one value: bytes [A, B) of the block at P, whose
 * non-digits the scan map knows.  It never passes a value that value_ok()
 * fails; what it cannot settle on the spot it leaves to value_ok().
 */
static inline __attribute__((always_inline)) int
quick_ok(const struct scanmap *m, enum check check, const char *p, size_t a,
    size_t b)
{
	const char *v = p + a;
	size_t n = b - a;

	switch (check) {
	case ANY:
		return 1;
	case TEXT:
		return n > 0 && !(n == 2 && v[0] == '\\' && v[1] == 'N');
	case TCONST:
		return n >= 9 && v[0] == 't' && v[1] == 't' &&
		    scan_digits(m, a + 2, b);
	case NCONST:
		return n >= 9 && v[0] == 'n' && v[1] == 'm' &&
		    scan_digits(m, a + 2, b);
	case BOOL:
		return n == 1 && (v[0] == '0' || v[0] == '1');
	case INT_NULL:
	case VOTES:
		return n >= 1 && n <= 18 && scan_digits(m, a, b);
	case POSITIVE:
		return n >= 1 && n <= 18 && v[0] != '0' && scan_digits(m, a, b);
	default:
		return 0;
	}
}

/*
 * The fast path over the block [P, P+N): find the fields from the bitmaps
 * of scan.h instead of splitting each row, check them in place and write
 * the rows that pass through as they came, in one write.  It stops before
 * the first row it cannot pass (a bad value, a wrong field count, a NUL, a
 * duplicate key) and row_ok() decides on that one with its own message, so
 * both paths keep and reject the same rows.  A trailing CR is dropped as
 * tsv_next() drops it.  Returns the bytes of the *NROWS rows it took; *STOP
 * says it stopped at a row rather than at the end of the complete rows.
 *
 * Inlined once per schema, with COLS and NF constant, so that the field
 * loop unrolls and each field's check is chosen at compile time: a switch
 * per field cost a mispredicted jump in about one field in five
 * (bench/imdb-cat.sh).  COLS NULL: no schema, NF fields of anything.
 */
static inline __attribute__((always_inline)) size_t
scan_rows(struct cat *c, struct tsv_in *t, const char *p, size_t n,
    uint64_t *nrows, int *stop, const struct column *cols, const size_t nf)
{
	enum check chk;
	const uint64_t *sep;
	struct slice *f = c->fv.f;
	size_t nul, nw, wi = 0, s = 0, ps = 0, fs, fe = 0, e = 0, k;
	uint64_t w, rows = 0, room;

	nul = scan_map(&c->map, p, n);
	sep = c->map.sep;
	nw = (n + 63) / 64;
	w = sep[0];
	room = c->has_limit ? c->limit - c->rows_out : UINT64_MAX;
	*stop = 1;
	for (; rows < room; rows++) {
		fs = s;
#pragma GCC unroll 16
		for (k = 0; k < nf; k++) {
			while (w == 0) {
				if (++wi == nw) {
					*stop = 0;
					goto done;
				}
				w = sep[wi];
			}
			e = wi * 64 + __builtin_ctzll(w);
			w &= w - 1;
			/* TAB after all fields but the last, LF after that */
			if ((p[e] == '\n') != (k + 1 == nf))
				goto done;
			fe = e;
			if (k + 1 == nf && e > s && p[e - 1] == '\r')
				fe--;
			f[k].p = p + fs;
			f[k].n = fe - fs;
			chk = cols != NULL ? cols[k].check : ANY;
			if (!quick_ok(&c->map, chk, p, fs, fe) &&
			    !value_ok(chk, f[k]))
				goto done;
			fs = e + 1;
		}
		if (nul < e)
			goto done;
		if (c->unique && !key_is_new(c, t->line + rows + 1, f[0], f[1]))
			goto done;
		if (c->project) {
			write_row(c, &c->fv, f[0]);
		} else {
			c->rows_out++;
			if (fe < e) {		/* CRLF: out without the CR */
				out_write(&c->out, p + ps, fe - ps);
				ps = e;
			}
		}
		c->rows_in++;
		s = e + 1;
	}
done:
	if (!c->project && s > ps)
		out_write(&c->out, p + ps, s - ps);
	*nrows = rows;
	return s;
}

#define SCAN_AS(a)	if (c->schema->cols == a) \
	return scan_rows(c, t, p, n, nrows, stop, a, sizeof(a) / sizeof(a[0]))

static size_t
fast_rows(struct cat *c, struct tsv_in *t, const char *p, size_t n,
    uint64_t *nrows, int *stop)
{
	if (c->schema == NULL)
		return scan_rows(c, t, p, n, nrows, stop, NULL, c->nfields);
	SCAN_AS(title_basics);
	SCAN_AS(title_ratings);
	SCAN_AS(title_principals);
	SCAN_AS(name_basics);
	SCAN_AS(title_crew);
	SCAN_AS(title_episode);
	SCAN_AS(title_akas);
	abort();
}

/*
 * Run the fast path over a block of whole lines from tsv_peek(), a few
 * KiB at a time so the bitmaps stay in the cache.  1 when every row passed.
 */
static int
fast_block(struct cat *c, struct tsv_in *t, struct slice blk)
{
	size_t done = 0, len, used;
	uint64_t rows;
	int stop;

	if (c->fv.f == NULL) {	/* nfields is known from here on */
		if ((c->fv.f = calloc(c->nfields, sizeof(*c->fv.f))) == NULL)
			die_sys("out of memory");
		c->fv.n = c->fv.cap = c->nfields;
	}
	while (done < blk.n) {
		len = blk.n - done < c->sub ? blk.n - done : c->sub;
		used = fast_rows(c, t, blk.p + done, len, &rows, &stop);
		tsv_skip(t, used, rows);
		done += used;
		if (stop) {
			c->sub = SUB_MIN;
			return 0;
		}
		if (c->sub < SUB_MAX)
			c->sub *= 2;
		else if (used == 0)
			return 0;	/* a row longer than SUB_MAX */
	}
	return 1;
}

static void
write_row(struct cat *c, struct fields *fv, struct slice line)
{
	size_t i;

	c->rows_out++;
	if (!c->project) {
		out_write(&c->out, line.p, line.n);
		out_byte(&c->out, '\n');
		return;
	}
	for (i = 0; i < c->proj.n; i++) {
		if (i > 0)
			out_byte(&c->out, '\t');
		out_write(&c->out, fv->f[c->proj.idx[i]].p,
		    fv->f[c->proj.idx[i]].n);
	}
	out_byte(&c->out, '\n');
}

static void
write_header(struct cat *c, const char *h, size_t n)
{
	struct fields fv = { 0 };
	struct slice line = { h, n };

	if (c->proj.n == 0) {
		out_write(&c->out, h, n);
		out_byte(&c->out, '\n');
		return;
	}
	tsv_split(&fv, h, n);
	write_row(c, &fv, line);
	c->rows_out--;
	fields_free(&fv);
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s [-N] [-f FIELDS] [--limit N] "
	    "[--schema auto|none|NAME] [--unique]\n"
	    "                [--rejects FILE] [--stats FILE] [--progress] "
	    "[-o FILE] [FILE ...]\n", progname);
}
