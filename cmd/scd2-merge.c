/*
 * scd2-merge - merge today's full snapshot of an entity into its type 2
 * slowly changing dimension: one streaming pass over two inputs sorted by
 * key, holding only the versions of the key being merged.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "digest.h"
#include "fieldlist.h"
#include "msg.h"
#include "out.h"
#include "progress.h"
#include "stats.h"
#include "tsv.h"

#define OPEN_END	"9999-12-31"	/* valid_to of a current row */
#define NSCD		6	/* row_hash valid_from valid_to is_current
				   is_deleted version */
#define KEYSHOW		60	/* bytes of a key quoted in a message */

enum deletes { DEL_NEW_RECORD, DEL_INVALIDATE, DEL_IGNORE };

static const char *const scd_names[NSCD] = {
	"row_hash", "valid_from", "valid_to", "is_current", "is_deleted",
	"version"
};

/* Where each column lives, in SNAPSHOT and in DIM (= the output). */
struct layout {
	size_t		 nsnap;		/* SNAPSHOT columns */
	size_t		 nk, na;	/* key and attribute columns */
	size_t		*keyidx;	/* SNAPSHOT index of each key field */
	size_t		*attridx;	/* SNAPSHOT index of each attribute */
	size_t		*dimkey;	/* DIM index of each key field: 0..nk-1 */
	size_t		*dimattr;	/* DIM index of each attribute */
	unsigned char	*type1;		/* per attribute: excluded from row_hash */
	long		*t1from;	/* per DIM column: SNAPSHOT index of its
					   type 1 value, or -1 */
	int		 keys_lead;	/* key = SNAPSHOT columns 0..nk-1 */
	size_t		 ndim;		/* nk + 1 + na + NSCD */
	size_t		 c_sk, c_hash, c_from, c_to, c_cur, c_del, c_ver;
};

/* A reusable byte buffer. */
struct buf {
	char		*p;
	size_t		 n, cap;
};

/* Every version of one DIM key, copied out of the reader's buffer. */
struct group {
	struct buf	 rows;		/* the lines, back to back, no LF */
	size_t		*off, *len;
	uint64_t	*lineno;
	size_t		 nver, vcap;
	struct slice	*f;		/* nver * ndim fields */
	size_t		 fcap;
	size_t		 keylen;	/* key = first keylen bytes of row 0 */
};

/* DIM as a stream of groups; the first line of the next key waits in ahead. */
struct dim {
	struct tsv_in	 t;
	struct slice	 ahead;
	int		 has_ahead;	/* 0 at once: an empty DIM, the first load */
};

/* SNAPSHOT: the current row, its fields and key, and the previous key. */
struct snap {
	struct tsv_in	 t;
	struct slice	 line;
	struct fields	 fv;
	struct slice	 key;
	struct buf	 keybuf, prev;
	uint64_t	 prev_line;
	int		 has_row, pushed_back;
};

struct merge {
	struct cli	 cli;
	struct layout	 L;
	const char	*as_of;
	const char	*sk;		/* name of the surrogate key column */
	enum deletes	 deletes;
	int		 header;
	struct out	 out;
	struct buf	 scratch;	/* input of one MD5 */
	char		 maxdate[11];	/* latest date seen in DIM */
	/* The first row that changes anything, for the replay check. */
	uint64_t	 changes;
	const char	*chg_file;
	uint64_t	 chg_line;
	char		 chg_key[KEYSHOW + 4];
	uint64_t	 rows_dim_in, rows_snapshot_in, rows_out, keys_dim_in;
	uint64_t	 new, changed, unchanged, deleted, still_deleted;
	uint64_t	 resurrected, type1_updated;
};

static void	layout_init(struct layout *, size_t, const struct header *,
		    const char *, const char *);
static void	header_check(struct merge *, struct dim *, struct snap *,
		    const struct header *);
static void	header_write(struct merge *, const struct header *);
static void	dim_open(struct dim *, char *);
static int	dim_next_group(struct merge *, struct dim *, struct group *);
static void	group_check(struct merge *, struct dim *, struct group *);
static void	snap_open(struct snap *, char *, int);
static int	snap_next(struct merge *, struct snap *);
static void	key_new(struct merge *, struct snap *);
static void	key_matched(struct merge *, struct group *, struct snap *);
static void	key_missing(struct merge *, struct dim *, struct group *);
static void	reconcile(struct merge *);
static void	write_stats(struct merge *, struct tsv_in *, struct tsv_in *);
static const char *resolve_output(const char *);
static int	keycmp(const char *, size_t, const char *, size_t);
static int	is_date(const char *, size_t);
static void	usage(FILE *);

enum { OPT_AS_OF = CLI_FIRST_TOOL_OPTION, OPT_SK, OPT_TYPE1, OPT_DELETES };

static const struct option longopts[] = {
	CLI_LONGOPTS,
	{ "as-of",	required_argument,	NULL, OPT_AS_OF },
	{ "key",	required_argument,	NULL, 'k' },
	{ "sk",		required_argument,	NULL, OPT_SK },
	{ "type1",	required_argument,	NULL, OPT_TYPE1 },
	{ "deletes",	required_argument,	NULL, OPT_DELETES },
	{ "output",	required_argument,	NULL, 'o' },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char *argv[])
{
	struct merge m = { 0 };
	struct dim d;
	struct snap s;
	struct group g = { 0 };
	struct header hdr;
	struct progress prog;
	const char *keys = "1", *type1 = NULL, *output = NULL;
	int ch, has_group, cmp;
	size_t nsnap;

	msg_init(argv[0]);
	m.cli.usage = usage;
	m.sk = "sk";
	while ((ch = getopt_long(argc, argv, "Nk:o:", longopts, NULL)) != -1) {
		if (cli_common(&m.cli, ch, optarg))
			continue;
		switch (ch) {
		case OPT_AS_OF:
			m.as_of = optarg;
			break;
		case 'k':
			keys = optarg;
			break;
		case OPT_SK:
			m.sk = optarg;
			break;
		case OPT_TYPE1:
			type1 = optarg;
			break;
		case OPT_DELETES:
			if (strcmp(optarg, "new_record") == 0)
				m.deletes = DEL_NEW_RECORD;
			else if (strcmp(optarg, "invalidate") == 0)
				m.deletes = DEL_INVALIDATE;
			else if (strcmp(optarg, "ignore") == 0)
				m.deletes = DEL_IGNORE;
			else
				die_usage("--deletes: invalid value '%s' "
				    "(expected ignore, invalidate or "
				    "new_record)", optarg);
			break;
		case 'o':
			output = optarg;
			break;
		}
	}
	argc -= optind;
	argv += optind;

	if (m.as_of == NULL)
		die_usage("--as-of is required (the date of SNAPSHOT)");
	if (!is_date(m.as_of, strlen(m.as_of)) ||
	    strcmp(m.as_of, OPEN_END) == 0)
		die_usage("--as-of: invalid date '%s' (expected YYYY-MM-DD "
		    "before %s)", m.as_of, OPEN_END);
	if (argc != 2)
		die_usage("expected two files, DIM and SNAPSHOT (%d given)",
		    argc);
	if (strcmp(argv[0], "-") == 0 && strcmp(argv[1], "-") == 0)
		die_usage("DIM and SNAPSHOT cannot both be stdin");
	if (*m.sk == '\0' || strpbrk(m.sk, "\t\n") != NULL)
		die_usage("--sk: invalid column name '%s'", m.sk);
	m.header = !m.cli.no_header;

	dim_open(&d, argv[0]);
	snap_open(&s, argv[1], m.header);
	if (m.header) {
		header_init(&hdr, s.t.header, s.t.header_len);
		layout_init(&m.L, hdr.names.n, &hdr, keys, type1);
		header_check(&m, &d, &s, &hdr);
	} else {
		/* Headerless: the width comes from the first row of either. */
		if ((s.has_row = tsv_next(&s.t, &s.line)))
			nsnap = tsv_split(&s.fv, s.line.p, s.line.n);
		else if (d.has_ahead) {
			if ((nsnap = tsv_split(&s.fv, d.ahead.p, d.ahead.n)) <
			    NSCD + 3)
				die_at(d.t.name, 1, "expected at least %d fields, "
				    "found %zu", NSCD + 3, nsnap);
			nsnap -= NSCD + 1;
		} else
			nsnap = 1;
		s.pushed_back = s.has_row;
		layout_init(&m.L, nsnap, NULL, keys, type1);
	}

	out_open(&m.out, resolve_output(output));
	if (m.header)
		header_write(&m, &hdr);
	progress_start(&prog, m.cli.progress, input_size(s.t.in));
	has_group = dim_next_group(&m, &d, &g);
	snap_next(&m, &s);
	while (has_group || s.has_row) {
		if (has_group && s.has_row)
			cmp = keycmp(g.rows.p, g.keylen, s.key.p, s.key.n);
		else
			cmp = has_group ? -1 : 1;
		if (cmp < 0)
			key_missing(&m, &d, &g);
		else if (cmp > 0)
			key_new(&m, &s);
		else
			key_matched(&m, &g, &s);
		if (cmp <= 0)
			has_group = dim_next_group(&m, &d, &g);
		if (cmp >= 0) {
			snap_next(&m, &s);
			progress_row(&prog, m.rows_snapshot_in, s.t.bytes,
			    s.t.raw_bytes + (s.t.in != NULL ?
			    input_raw_bytes(s.t.in) : 0));
		}
	}
	progress_end(&prog, m.rows_snapshot_in, s.t.bytes, s.t.raw_bytes);

	reconcile(&m);
	out_close(&m.out);
	write_stats(&m, &d.t, &s.t);
	tsv_close(&d.t);
	tsv_close(&s.t);
	return 0;
}

static void
buf_reserve(struct buf *b, size_t more)
{
	if (b->cap - b->n >= more)
		return;
	while (b->cap - b->n < more)
		b->cap = b->cap ? b->cap * 2 : 4096;
	if ((b->p = realloc(b->p, b->cap)) == NULL)
		die_sys("out of memory");
}

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;		/* b->p may still be NULL: no memcpy to it */
	buf_reserve(b, n);
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (n != 0 && size > SIZE_MAX / n)
		die(EXIT_DATA, "out of memory");
	if ((p = realloc(p, n * size)) == NULL)
		die_sys("out of memory");
	return p;
}

static int
is_null(struct slice v)
{
	return v.n == 2 && v.p[0] == '\\' && v.p[1] == 'N';
}

/*
 * Resolve -k and --type1 against the SNAPSHOT header (H NULL: numbers only)
 * and lay out the DIM columns around them.
 */
static void
layout_init(struct layout *L, size_t nsnap, const struct header *h,
    const char *keys, const char *type1)
{
	struct fieldlist kl, tl;
	unsigned char *iskey;
	size_t i, a;

	fieldlist_parse(&kl, keys, h, "-k");
	if (kl.max > nsnap)
		die_usage("-k: field %zu is past the last field (%zu)",
		    kl.max, nsnap);
	iskey = calloc(nsnap, 1);
	if (iskey == NULL)
		die_sys("out of memory");
	L->nsnap = nsnap;
	L->nk = kl.n;
	L->keyidx = kl.idx;
	L->keys_lead = 1;
	for (i = 0; i < kl.n; i++) {
		if (iskey[kl.idx[i]])
			die_usage("-k: field %zu is listed twice",
			    kl.idx[i] + 1);
		iskey[kl.idx[i]] = 1;
		if (kl.idx[i] != i)
			L->keys_lead = 0;
	}
	L->na = nsnap - L->nk;
	L->attridx = xreallocarray(NULL, L->na + 1, sizeof(size_t));
	L->type1 = calloc(L->na + 1, 1);
	L->dimkey = xreallocarray(NULL, L->nk, sizeof(size_t));
	L->dimattr = xreallocarray(NULL, L->na + 1, sizeof(size_t));
	if (L->type1 == NULL)
		die_sys("out of memory");
	for (i = 0; i < L->nk; i++)
		L->dimkey[i] = i;
	for (i = 0, a = 0; i < nsnap; i++)
		if (!iskey[i]) {
			L->attridx[a] = i;
			L->dimattr[a] = L->nk + 1 + a;
			a++;
		}
	L->c_sk = L->nk;
	L->c_hash = L->nk + 1 + L->na;
	L->c_from = L->c_hash + 1;
	L->c_to = L->c_hash + 2;
	L->c_cur = L->c_hash + 3;
	L->c_del = L->c_hash + 4;
	L->c_ver = L->c_hash + 5;
	L->ndim = L->c_ver + 1;
	L->t1from = xreallocarray(NULL, L->ndim, sizeof(long));
	for (i = 0; i < L->ndim; i++)
		L->t1from[i] = -1;
	if (type1 != NULL) {
		fieldlist_parse(&tl, type1, h, "--type1");
		for (i = 0; i < tl.n; i++) {
			if (tl.idx[i] >= nsnap)
				die_usage("--type1: field %zu is past the last "
				    "field (%zu)", tl.idx[i] + 1, nsnap);
			if (iskey[tl.idx[i]])
				die_usage("--type1: field %zu is a key field "
				    "(-k)", tl.idx[i] + 1);
			for (a = 0; L->attridx[a] != tl.idx[i]; a++)
				;
			L->type1[a] = 1;
			L->t1from[L->dimattr[a]] = (long)tl.idx[i];
		}
		fieldlist_free(&tl);
	}
	free(iskey);
}

/* The output header: key, sk, attributes, the SCD columns. */
static void
header_build(struct merge *m, const struct header *h, struct buf *b,
    const char *sk)
{
	const struct layout *L = &m->L;
	size_t i;

	b->n = 0;
	for (i = 0; i < L->nk; i++) {
		buf_add(b, h->names.f[L->keyidx[i]].p,
		    h->names.f[L->keyidx[i]].n);
		buf_add(b, "\t", 1);
	}
	buf_add(b, sk, strlen(sk));
	for (i = 0; i < L->na; i++) {
		buf_add(b, "\t", 1);
		buf_add(b, h->names.f[L->attridx[i]].p,
		    h->names.f[L->attridx[i]].n);
	}
	for (i = 0; i < NSCD; i++) {
		buf_add(b, "\t", 1);
		buf_add(b, scd_names[i], strlen(scd_names[i]));
	}
}

/*
 * DIM's header must be exactly what this run writes: a different -k, --sk
 * or SNAPSHOT layout would silently mix two dimensions.
 */
static void
header_check(struct merge *m, struct dim *d, struct snap *s,
    const struct header *h)
{
	struct buf want = { 0 };
	struct fields wf = { 0 }, gf = { 0 };
	struct slice got;
	size_t i, j;

	for (i = 0; i < h->names.n; i++) {
		for (j = 0; j < NSCD; j++)
			if (slice_eq(h->names.f[i], scd_names[j]))
				break;
		if (j < NSCD || slice_eq(h->names.f[i], m->sk))
			die_at(s->t.name, 1, "column '%.*s' clashes with a "
			    "column scd2-merge adds (%s or an SCD column)",
			    (int)h->names.f[i].n, h->names.f[i].p, m->sk);
	}
	if (!d->has_ahead)
		return;		/* empty DIM: the first load */
	got = d->ahead;
	d->has_ahead = tsv_next(&d->t, &d->ahead);
	header_build(m, h, &want, m->sk);
	if (got.n == want.n && memcmp(got.p, want.p, want.n) == 0) {
		free(want.p);
		return;
	}
	tsv_split(&wf, want.p, want.n);
	tsv_split(&gf, got.p, got.n);
	for (i = 0; i < wf.n && i < gf.n; i++)
		if (wf.f[i].n != gf.f[i].n ||
		    memcmp(wf.f[i].p, gf.f[i].p, wf.f[i].n) != 0)
			die_at(d->t.name, 1, "header column %zu is '%.*s' "
			    "(expected '%.*s': DIM must have SNAPSHOT's "
			    "columns, key first, plus %s and the SCD columns)",
			    i + 1, (int)gf.f[i].n, gf.f[i].p, (int)wf.f[i].n,
			    wf.f[i].p, m->sk);
	if (gf.n < wf.n)
		die_at(d->t.name, 1, "header has %zu columns (expected %zu: "
		    "'%.*s' is missing)", gf.n, wf.n, (int)wf.f[i].n,
		    wf.f[i].p);
	die_at(d->t.name, 1, "header has %zu columns (expected %zu: '%.*s' "
	    "is extra)", gf.n, wf.n, (int)gf.f[i].n, gf.f[i].p);
}

static void
header_write(struct merge *m, const struct header *h)
{
	struct buf b = { 0 };

	header_build(m, h, &b, m->sk);
	out_write(&m->out, b.p, b.n);
	out_byte(&m->out, '\n');
	free(b.p);
}

/*
 * DIM is opened without the reader's header handling so that a zero-byte
 * file (the first load) is not an error; the header is checked by hand.
 */
static void
dim_open(struct dim *d, char *path)
{
	memset(d, 0, sizeof(*d));
	tsv_open(&d->t, &path, 1, 0);
	d->has_ahead = tsv_next(&d->t, &d->ahead);
}

/* Length of the first NK fields of LINE (the key; all of a short line). */
static size_t
key_prefix(const char *p, size_t n, size_t nk)
{
	const char *q = p, *end = p + n, *tab;

	while (--nk > 0) {
		if ((tab = memchr(q, '\t', end - q)) == NULL)
			return n;
		q = tab + 1;
	}
	tab = memchr(q, '\t', end - q);
	return (tab != NULL ? tab : end) - p;
}

/* A message-safe copy of a key: TAB shown as \t, long keys cut. */
static const char *
key_show(const char *p, size_t n, char *dst)
{
	size_t i, o = 0;

	for (i = 0; i < n && o < KEYSHOW; i++) {
		if (p[i] == '\t') {
			dst[o++] = '\\';
			dst[o++] = 't';
		} else
			dst[o++] = p[i];
	}
	if (i < n) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
	return dst;
}

/* Split a DIM row into exactly ndim fields at F. */
static void
split_exact(struct merge *m, struct dim *d, uint64_t line, const char *p,
    size_t n, struct slice *f)
{
	const char *q = p, *end = p + n, *tab;
	size_t i, found;

	for (i = 0; i + 1 < m->L.ndim; i++) {
		if ((tab = memchr(q, '\t', end - q)) == NULL)
			break;
		f[i].p = q;
		f[i].n = tab - q;
		q = tab + 1;
	}
	if (i + 1 == m->L.ndim && memchr(q, '\t', end - q) == NULL) {
		f[i].p = q;
		f[i].n = end - q;
		return;
	}
	for (found = 1, q = p; (tab = memchr(q, '\t', end - q)) != NULL;
	    q = tab + 1)
		found++;
	die_at(d->t.name, line, "expected %zu fields, found %zu", m->L.ndim,
	    found);
}

/* Keys may be neither empty nor null: they name a row for ever. */
static void
key_fields_check(const char *file, uint64_t line, const struct slice *f,
    const size_t *idx, size_t nk)
{
	size_t i;

	for (i = 0; i < nk; i++) {
		if (f[idx[i]].n == 0)
			die_at(file, line, "empty key (field %zu; keys must not "
			    "be empty or \\N)", idx[i] + 1);
		if (is_null(f[idx[i]]))
			die_at(file, line, "null key (field %zu is \\N; keys "
			    "must not be empty or \\N)", idx[i] + 1);
	}
}

/*
 * Read every version of the next DIM key into G.  The first line of the
 * key after it stays in the reader's buffer (d->ahead), which is not
 * touched again until this group is written out.
 */
static int
dim_next_group(struct merge *m, struct dim *d, struct group *g)
{
	char shown[2][KEYSHOW + 4];
	size_t kl, i;
	int cmp;

	g->nver = 0;
	g->rows.n = 0;
	if (!d->has_ahead)
		return 0;
	for (;;) {
		if (g->nver == g->vcap) {
			g->vcap = g->vcap ? g->vcap * 2 : 16;
			g->off = xreallocarray(g->off, g->vcap, sizeof(size_t));
			g->len = xreallocarray(g->len, g->vcap, sizeof(size_t));
			g->lineno = xreallocarray(g->lineno, g->vcap,
			    sizeof(uint64_t));
		}
		g->off[g->nver] = g->rows.n;
		g->len[g->nver] = d->ahead.n;
		g->lineno[g->nver] = d->t.line;
		buf_add(&g->rows, d->ahead.p, d->ahead.n);
		if (g->nver++ == 0)
			g->keylen = key_prefix(g->rows.p, g->rows.n, m->L.nk);
		m->rows_dim_in++;
		if (!(d->has_ahead = tsv_next(&d->t, &d->ahead)))
			break;
		kl = key_prefix(d->ahead.p, d->ahead.n, m->L.nk);
		cmp = keycmp(d->ahead.p, kl, g->rows.p, g->keylen);
		if (cmp > 0)
			break;
		if (cmp < 0)
			die_at(d->t.name, d->t.line, "key '%s' is not after "
			    "'%s' on line %llu (DIM must be sorted by key in "
			    "byte order, as LC_ALL=C sort)",
			    key_show(d->ahead.p, kl, shown[0]),
			    key_show(g->rows.p, g->keylen, shown[1]),
			    (unsigned long long)g->lineno[g->nver - 1]);
	}
	m->keys_dim_in++;
	if (g->nver * m->L.ndim > g->fcap) {
		g->fcap = g->nver * m->L.ndim * 2;
		g->f = xreallocarray(g->f, g->fcap, sizeof(struct slice));
	}
	for (i = 0; i < g->nver; i++)
		split_exact(m, d, g->lineno[i], g->rows.p + g->off[i],
		    g->len[i], g->f + i * m->L.ndim);
	key_fields_check(d->t.name, g->lineno[0], g->f, m->L.dimkey, m->L.nk);
	group_check(m, d, g);
	return 1;
}

/* Strict positive decimal without leading zeros; 0 when not. */
static uint64_t
parse_version(struct slice v)
{
	uint64_t x = 0;
	size_t i;

	if (v.n == 0 || v.n > 18 || v.p[0] == '0')
		return 0;
	for (i = 0; i < v.n; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return 0;
		x = x * 10 + (v.p[i] - '0');
	}
	return x;
}

static int
is_flag(struct slice v)
{
	return v.n == 1 && (v.p[0] == '0' || v.p[0] == '1');
}

/* A date in DIM must not be after --as-of; the latest is kept. */
static void
date_seen(struct merge *m, struct dim *d, uint64_t line, const char *col,
    struct slice v)
{
	if (memcmp(v.p, m->as_of, 10) > 0)
		die_at(d->t.name, line, "%s %.10s is later than --as-of %s "
		    "(snapshots must be merged in date order)", col, v.p,
		    m->as_of);
	if (memcmp(v.p, m->maxdate, 10) > 0) {
		memcpy(m->maxdate, v.p, 10);
		m->maxdate[10] = '\0';
	}
}

/* One DIM row on its own: version number, dates, flags, time order. */
static void
row_check(struct merge *m, struct dim *d, struct group *g, size_t i)
{
	const struct layout *L = &m->L;
	const struct slice *f = g->f + i * L->ndim;
	uint64_t line = g->lineno[i], ver;
	char shown[KEYSHOW + 4];

	if ((ver = parse_version(f[L->c_ver])) == 0)
		die_at(d->t.name, line, "bad version '%.*s' (expected a "
		    "positive integer)", (int)f[L->c_ver].n, f[L->c_ver].p);
	if (ver == i && i > 0)
		die_at(d->t.name, line, "duplicate key '%s' version %llu "
		    "(first on line %llu)", key_show(g->rows.p, g->keylen,
		    shown), (unsigned long long)ver,
		    (unsigned long long)g->lineno[i - 1]);
	if (ver != i + 1)
		die_at(d->t.name, line, "version %llu (expected %zu: the "
		    "versions of a key run 1..n in order)",
		    (unsigned long long)ver, i + 1);
	if (!is_date(f[L->c_from].p, f[L->c_from].n))
		die_at(d->t.name, line, "bad valid_from '%.*s' (expected "
		    "YYYY-MM-DD)", (int)f[L->c_from].n, f[L->c_from].p);
	if (!is_date(f[L->c_to].p, f[L->c_to].n))
		die_at(d->t.name, line, "bad valid_to '%.*s' (expected "
		    "YYYY-MM-DD)", (int)f[L->c_to].n, f[L->c_to].p);
	if (!is_flag(f[L->c_cur]) || !is_flag(f[L->c_del]))
		die_at(d->t.name, line, "bad is_current '%.*s' or is_deleted "
		    "'%.*s' (expected 0 or 1)", (int)f[L->c_cur].n,
		    f[L->c_cur].p, (int)f[L->c_del].n, f[L->c_del].p);
	if (memcmp(f[L->c_from].p, f[L->c_to].p, 10) >= 0)
		die_at(d->t.name, line, "valid_from %.10s is not before "
		    "valid_to %.10s", f[L->c_from].p, f[L->c_to].p);
	date_seen(m, d, line, "valid_from", f[L->c_from]);
	if (!slice_eq(f[L->c_to], OPEN_END))
		date_seen(m, d, line, "valid_to", f[L->c_to]);
}

/*
 * The invariants of one key's history: versions 1..n, non-empty half-open
 * intervals that meet end to start, every row but the last closed, the last
 * current unless --deletes invalidate closed it, no two tombstones in a row.
 */
static void
group_check(struct merge *m, struct dim *d, struct group *g)
{
	const struct layout *L = &m->L;
	const struct slice *f, *next;
	char shown[KEYSHOW + 4];
	uint64_t line;
	size_t i;
	int open;

	for (i = 0; i < g->nver; i++)
		row_check(m, d, g, i);
	for (i = 0; i + 1 < g->nver; i++) {
		f = g->f + i * L->ndim;
		next = f + L->ndim;
		if (f[L->c_cur].p[0] != '0' || slice_eq(f[L->c_to], OPEN_END))
			die_at(d->t.name, g->lineno[i], "version %zu is current "
			    "but version %zu follows (only the last version "
			    "is current)", i + 1, i + 2);
		if (f[L->c_del].p[0] == '1' && next[L->c_del].p[0] == '1')
			die_at(d->t.name, g->lineno[i + 1], "two tombstones in "
			    "a row (is_deleted 1 on versions %zu and %zu)",
			    i + 1, i + 2);
		if (memcmp(f[L->c_to].p, next[L->c_from].p, 10) == 0)
			continue;
		/* Only an invalidated key has a gap before it came back. */
		if (m->deletes != DEL_INVALIDATE || f[L->c_del].p[0] == '1' ||
		    memcmp(f[L->c_to].p, next[L->c_from].p, 10) > 0)
			die_at(d->t.name, g->lineno[i + 1], "valid_from %.10s "
			    "is not the previous version's valid_to %.10s "
			    "(intervals must be contiguous)",
			    next[L->c_from].p, f[L->c_to].p);
	}
	f = g->f + (g->nver - 1) * L->ndim;
	line = g->lineno[g->nver - 1];
	open = slice_eq(f[L->c_to], OPEN_END);
	if (f[L->c_cur].p[0] == '1' && !open)
		die_at(d->t.name, line, "current version has valid_to %.10s "
		    "(expected %s)", f[L->c_to].p, OPEN_END);
	if (f[L->c_cur].p[0] == '0' && open)
		die_at(d->t.name, line, "last version has valid_to %s but "
		    "is_current 0", OPEN_END);
	if (f[L->c_cur].p[0] == '0' && (m->deletes != DEL_INVALIDATE ||
	    f[L->c_del].p[0] == '1'))
		die_at(d->t.name, line, "key '%s' has no current version "
		    "(only --deletes invalidate closes a key without a "
		    "tombstone)", key_show(g->rows.p, g->keylen, shown));
}

static void
snap_open(struct snap *s, char *path, int header)
{
	memset(s, 0, sizeof(*s));
	tsv_open(&s->t, &path, 1, header ? TSV_HEADER : 0);
}

/* The next SNAPSHOT row, split, its key checked for order and content. */
static int
snap_next(struct merge *m, struct snap *s)
{
	const struct layout *L = &m->L;
	char shown[2][KEYSHOW + 4];
	size_t i;
	int cmp;

	if (s->has_row && m->rows_snapshot_in > 0) {
		/* Keep the key just merged: the next must sort after it. */
		s->prev.n = 0;
		buf_add(&s->prev, s->key.p, s->key.n);
		s->prev_line = s->t.line;
	}
	if (s->pushed_back)
		s->pushed_back = 0;
	else if (!(s->has_row = tsv_next(&s->t, &s->line)))
		return 0;
	m->rows_snapshot_in++;
	if (tsv_split(&s->fv, s->line.p, s->line.n) != L->nsnap)
		die_at(s->t.name, s->t.line, "expected %zu fields, found %zu",
		    L->nsnap, s->fv.n);
	key_fields_check(s->t.name, s->t.line, s->fv.f, L->keyidx, L->nk);
	if (L->keys_lead) {
		s->key.p = s->line.p;
		s->key.n = s->fv.f[L->nk - 1].p + s->fv.f[L->nk - 1].n -
		    s->line.p;
	} else {
		s->keybuf.n = 0;
		for (i = 0; i < L->nk; i++) {
			if (i > 0)
				buf_add(&s->keybuf, "\t", 1);
			buf_add(&s->keybuf, s->fv.f[L->keyidx[i]].p,
			    s->fv.f[L->keyidx[i]].n);
		}
		s->key.p = s->keybuf.p;
		s->key.n = s->keybuf.n;
	}
	if (m->rows_snapshot_in == 1)
		return 1;
	cmp = keycmp(s->key.p, s->key.n, s->prev.p, s->prev.n);
	if (cmp == 0)
		die_at(s->t.name, s->t.line, "duplicate key '%s' (first on "
		    "line %llu)", key_show(s->key.p, s->key.n, shown[0]),
		    (unsigned long long)s->prev_line);
	if (cmp < 0)
		die_at(s->t.name, s->t.line, "key '%s' is not after '%s' on "
		    "line %llu (SNAPSHOT must be sorted by key in byte order, "
		    "as LC_ALL=C sort)", key_show(s->key.p, s->key.n,
		    shown[0]), key_show(s->prev.p, s->prev.n, shown[1]),
		    (unsigned long long)s->prev_line);
	return 1;
}

/* Remember the first row that changes the dimension (see reconcile). */
static void
note_change(struct merge *m, const char *file, uint64_t line,
    const char *key, size_t keylen)
{
	if (m->changes++ > 0)
		return;
	m->chg_file = file;
	m->chg_line = line;
	key_show(key, keylen, m->chg_key);
}

static void
put(struct merge *m, struct slice v)
{
	out_write(&m->out, v.p, v.n);
}

/* MD5 of the tracked attributes of F (indexes IDX) joined by TAB. */
static void
row_hash(struct merge *m, const struct slice *f, const size_t *idx,
    char hex[32])
{
	const struct layout *L = &m->L;
	struct buf *b = &m->scratch;
	size_t a;
	int first = 1;

	b->n = 0;
	for (a = 0; a < L->na; a++) {
		if (L->type1[a])
			continue;
		if (!first)
			buf_add(b, "\t", 1);
		buf_add(b, f[idx[a]].p, f[idx[a]].n);
		first = 0;
	}
	md5_hex(b->p != NULL ? b->p : "", b->n, hex);
}

/*
 * Append a version: key and attributes from F (a SNAPSHOT row, or DIM's
 * last version for a tombstone), valid from --as-of, current.
 */
static void
write_new(struct merge *m, const struct slice *f, const size_t *kidx,
    const size_t *aidx, const char hash[32], int deleted, uint64_t version)
{
	const struct layout *L = &m->L;
	struct buf *b = &m->scratch;
	char sk[32];
	size_t i;

	b->n = 0;
	for (i = 0; i < L->nk; i++) {
		buf_add(b, f[kidx[i]].p, f[kidx[i]].n);
		buf_add(b, "-", 1);
	}
	buf_add(b, m->as_of, 10);
	md5_hex(b->p, b->n, sk);
	for (i = 0; i < L->nk; i++) {
		put(m, f[kidx[i]]);
		out_byte(&m->out, '\t');
	}
	out_write(&m->out, sk, 32);
	for (i = 0; i < L->na; i++) {
		out_byte(&m->out, '\t');
		put(m, f[aidx[i]]);
	}
	out_byte(&m->out, '\t');
	out_write(&m->out, hash, 32);
	out_byte(&m->out, '\t');
	out_write(&m->out, m->as_of, 10);
	out_str(&m->out, "\t" OPEN_END "\t1\t");
	out_byte(&m->out, deleted ? '1' : '0');
	out_byte(&m->out, '\t');
	out_u64(&m->out, version);
	out_byte(&m->out, '\n');
	m->rows_out++;
}

/* DIM's versions as they were. */
static void
write_verbatim(struct merge *m, const struct group *g)
{
	size_t i;

	for (i = 0; i < g->nver; i++) {
		out_write(&m->out, g->rows.p + g->off[i], g->len[i]);
		out_byte(&m->out, '\n');
	}
	m->rows_out += g->nver;
}

/*
 * DIM's versions rewritten: type 1 columns from the SNAPSHOT row SF (when
 * given) in every version, and the last version closed at --as-of.
 */
static void
write_rewritten(struct merge *m, const struct group *g,
    const struct fields *sf, int close_last)
{
	const struct layout *L = &m->L;
	const struct slice *f;
	struct slice v;
	size_t i, c;

	for (i = 0; i < g->nver; i++) {
		f = g->f + i * L->ndim;
		for (c = 0; c < L->ndim; c++) {
			v = f[c];
			if (sf != NULL && L->t1from[c] >= 0)
				v = sf->f[L->t1from[c]];
			if (close_last && i + 1 == g->nver) {
				if (c == L->c_to)
					v = (struct slice){ m->as_of, 10 };
				else if (c == L->c_cur)
					v = (struct slice){ "0", 1 };
			}
			if (c > 0)
				out_byte(&m->out, '\t');
			put(m, v);
		}
		out_byte(&m->out, '\n');
	}
	m->rows_out += g->nver;
}

static void
key_new(struct merge *m, struct snap *s)
{
	char hash[32];

	m->new++;
	note_change(m, s->t.name, s->t.line, s->key.p, s->key.n);
	row_hash(m, s->fv.f, m->L.attridx, hash);
	write_new(m, s->fv.f, m->L.keyidx, m->L.attridx, hash, 0, 1);
}

/* 1 when the attributes selected by WANT_TYPE1 agree between SNAPSHOT and
 * DIM's last version. */
static int
same_attrs(const struct layout *L, const struct slice *sf,
    const struct slice *df, int want_type1)
{
	size_t a;
	struct slice x, y;

	for (a = 0; a < L->na; a++) {
		if (L->type1[a] != want_type1)
			continue;
		x = sf[L->attridx[a]];
		y = df[L->dimattr[a]];
		if (x.n != y.n || memcmp(x.p, y.p, x.n) != 0)
			return 0;
	}
	return 1;
}

static void
key_matched(struct merge *m, struct group *g, struct snap *s)
{
	const struct layout *L = &m->L;
	const struct slice *last = g->f + (g->nver - 1) * L->ndim;
	int current = last[L->c_cur].p[0] == '1';
	int tombstone = last[L->c_del].p[0] == '1';
	char hash[32];

	if (current && !tombstone && same_attrs(L, s->fv.f, last, 0)) {
		m->unchanged++;
		if (same_attrs(L, s->fv.f, last, 1)) {
			write_verbatim(m, g);
			return;
		}
		m->type1_updated++;
		note_change(m, s->t.name, s->t.line, s->key.p, s->key.n);
		write_rewritten(m, g, &s->fv, 0);
		return;
	}
	if (tombstone || !current)
		m->resurrected++;
	else
		m->changed++;
	note_change(m, s->t.name, s->t.line, s->key.p, s->key.n);
	/* An invalidated key is already closed: it comes back after a gap. */
	write_rewritten(m, g, &s->fv, current);
	row_hash(m, s->fv.f, L->attridx, hash);
	write_new(m, s->fv.f, L->keyidx, L->attridx, hash, 0, g->nver + 1);
}

static void
key_missing(struct merge *m, struct dim *d, struct group *g)
{
	const struct layout *L = &m->L;
	const struct slice *last = g->f + (g->nver - 1) * L->ndim;
	char hash[32];

	if (last[L->c_del].p[0] == '1' || last[L->c_cur].p[0] == '0') {
		m->still_deleted++;	/* deleted by an earlier run */
		write_verbatim(m, g);
		return;
	}
	m->deleted++;
	if (m->deletes == DEL_IGNORE) {
		write_verbatim(m, g);
		return;
	}
	note_change(m, d->t.name, g->lineno[g->nver - 1], g->rows.p,
	    g->keylen);
	write_rewritten(m, g, NULL, 1);
	if (m->deletes == DEL_NEW_RECORD) {
		if (last[L->c_hash].n != 32)
			die_at(d->t.name, g->lineno[g->nver - 1], "bad row_hash "
			    "'%.*s' (expected 32 hex digits)",
			    (int)last[L->c_hash].n, last[L->c_hash].p);
		memcpy(hash, last[L->c_hash].p, 32);
		write_new(m, last, L->dimkey, L->dimattr, hash, 1,
		    g->nver + 1);
	}
}

/*
 * Time order and the counters' identities, checked before OUT replaces
 * anything: a replay of DIM's latest date must change nothing.
 */
static void
reconcile(struct merge *m)
{
	uint64_t want;

	if (m->changes > 0 && strcmp(m->maxdate, m->as_of) == 0)
		die_at(m->chg_file, m->chg_line, "key '%s' would change the "
		    "dimension, but --as-of %s is DIM's latest date (a replay "
		    "must change nothing; use a later date)", m->chg_key,
		    m->as_of);
	want = m->rows_dim_in + m->new + m->changed + m->resurrected +
	    (m->deletes == DEL_NEW_RECORD ? m->deleted : 0);
	if (m->rows_out != want)
		die(EXIT_DATA, "internal error: rows_out %llu != %llu",
		    (unsigned long long)m->rows_out, (unsigned long long)want);
	if (m->rows_snapshot_in != m->new + m->changed + m->unchanged +
	    m->resurrected || m->keys_dim_in != m->changed + m->unchanged +
	    m->resurrected + m->deleted + m->still_deleted)
		die(EXIT_DATA, "internal error: key counts do not add up");
}

static void
write_stats(struct merge *m, struct tsv_in *d, struct tsv_in *s)
{
	struct stats st = { 0 };
	static const char *const del[] = { "new_record", "invalidate",
	    "ignore" };

	stats_u64(&st, "rows_in", m->rows_dim_in + m->rows_snapshot_in);
	stats_u64(&st, "rows_out", m->rows_out);
	stats_u64(&st, "rows_rejected", 0);
	stats_u64(&st, "bytes_in", d->bytes + s->bytes);
	stats_u64(&st, "rows_dim_in", m->rows_dim_in);
	stats_u64(&st, "rows_snapshot_in", m->rows_snapshot_in);
	stats_u64(&st, "keys_dim_in", m->keys_dim_in);
	stats_u64(&st, "new", m->new);
	stats_u64(&st, "changed", m->changed);
	stats_u64(&st, "unchanged", m->unchanged);
	stats_u64(&st, "deleted", m->deleted);
	stats_u64(&st, "still_deleted", m->still_deleted);
	stats_u64(&st, "resurrected", m->resurrected);
	stats_u64(&st, "type1_updated", m->type1_updated);
	stats_str(&st, "as_of", "%s", m->as_of);
	stats_str(&st, "deletes", "%s", del[m->deletes]);
	if (m->cli.counters)
		stats_counters(&st);
	stats_write(&st, m->cli.stats);
}

/*
 * A symlinked OUT (say a "current" link in a state directory) is replaced
 * at its target, through a temporary beside the target: common/out writes
 * links in place, which would truncate DIM when the link points at it.
 */
static const char *
resolve_output(const char *path)
{
	struct stat st;
	char *real;

	if (path == NULL || lstat(path, &st) == -1 || !S_ISLNK(st.st_mode) ||
	    (real = realpath(path, NULL)) == NULL)
		return path;
	return real;
}

/* Byte order of the key fields joined by TAB; a prefix sorts first. */
static int
keycmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	if (c != 0)
		return c;
	return an < bn ? -1 : an > bn;
}

/* YYYY-MM-DD, a real calendar day of a year 0001..9999. */
static int
is_date(const char *p, size_t n)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, mo, d, i;

	if (n != 10 || p[4] != '-' || p[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (p[i] < '0' || p[i] > '9'))
			return 0;
	y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 +
	    (p[3] - '0');
	mo = (p[5] - '0') * 10 + (p[6] - '0');
	d = (p[8] - '0') * 10 + (p[9] - '0');
	if (y == 0 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return 0;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0)))
		return 0;
	return 1;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s --as-of YYYY-MM-DD [-N] [-k KEYS] [--sk NAME] "
	    "[--type1 FIELDS]\n"
	    "                  [--deletes ignore|invalidate|new_record] "
	    "[--stats FILE]\n"
	    "                  [--progress] [-o OUT] DIM SNAPSHOT\n", progname);
}
