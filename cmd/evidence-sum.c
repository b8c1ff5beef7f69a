/*
 * evidence-sum - evaluate the quality gates of evidence/gates.tsv over a
 * pipeline's output directory and its --stats files, and write the evidence
 * file: inputs, outputs with sha256, per-step stats and every gate's result.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "digest.h"
#include "fieldlist.h"
#include "hashmap.h"
#include "idpattern.h"
#include "keyset.h"
#include "json.h"
#include "msg.h"
#include "numfmt.h"
#include "out.h"
#include "rangeread.h"
#include "tsv.h"

#define MAX_EXAMPLES	20
#define EXAMPLE_BYTES	1024	/* longer example rows are cut there */
#define END_OF_TIME	"9999-12-31"
#define AHEAD		64	/* keys queued per key set user, ... */
#define BURST		32	/* ... prefetched this many in a row */
#define GROUP_LINEAR	32	/* a group's keys compared one by one up to this */
#define SET_SHORT	64	/* in_set members shorter than this ... */
#define SET_BUCKET	4	/* ... at most this many of a length: compared */
#define MAX_LANES	4	/* threads reading one table */
#define PARTS_PER_LANE	16	/* by rows: lanes take parts in turn */
#define SPLIT_MIN	((uint64_t)32 << 20)	/* smaller tables: one thread */
#define SPLIT_SEARCH	((uint64_t)16 << 20)	/* how far to look for a run's end */

enum check {
	ROW_COUNT_BETWEEN, ROW_COUNT_EQ, EXPR, NOT_NULL, UNIQUE, BETWEEN,
	IN_SET, MATCHES, FK, SCD2_ONE_CURRENT, SCD2_CONTIGUOUS, SHA256,
	STATS_RECONCILE
};

/* What each check needs in the gates file. */
enum need { NO, ONE, MANY, OPTIONAL };

static const struct checkdef {
	const char	*name;
	enum check	 check;
	enum need	 file, columns, argument;
	int		 per_row;	/* evaluated in the pass over FILE */
} checkdefs[] = {
	{ "row_count_between", ROW_COUNT_BETWEEN, ONE, NO, ONE, 0 },
	{ "row_count_eq", ROW_COUNT_EQ, OPTIONAL, NO, ONE, 0 },
	{ "expr", EXPR, NO, NO, ONE, 0 },
	{ "not_null", NOT_NULL, ONE, MANY, NO, 1 },
	{ "unique", UNIQUE, ONE, MANY, NO, 1 },
	{ "between", BETWEEN, ONE, ONE, ONE, 1 },
	{ "in_set", IN_SET, ONE, ONE, ONE, 1 },
	{ "matches", MATCHES, ONE, ONE, ONE, 1 },
	{ "fk", FK, ONE, ONE, ONE, 1 },
	{ "scd2_one_current", SCD2_ONE_CURRENT, ONE, MANY, NO, 1 },
	{ "scd2_contiguous", SCD2_CONTIGUOUS, ONE, MANY, NO, 1 },
	{ "sha256", SHA256, ONE, NO, OPTIONAL, 0 },
	{ "stats_reconcile", STATS_RECONCILE, NO, NO, OPTIONAL, 0 },
};
#define NCHECKS	(sizeof(checkdefs) / sizeof(checkdefs[0]))

enum status { ST_PASS, ST_WARN, ST_FAIL, ST_ERROR };
static const char *const status_names[] = { "pass", "warn", "fail", "error" };

/* Expressions over stats metrics and row counts: a small tree in an array. */
enum node_kind { N_NUM, N_NAME, N_ROWS, N_ADD, N_SUB, N_MUL, N_NEG };
enum cmp { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };
static const char *const cmp_names[] = { "=", "!=", "<", "<=", ">", ">=" };

struct node {
	enum node_kind	 kind;
	int64_t		 num;
	char		*name;		/* N_NAME "step.metric"; N_ROWS path */
	int		 file;		/* N_ROWS: index into files */
	int		 l, r;
};

struct expr {
	struct node	*n;
	int		 nn, root;
};

/* A file under --dir named by a gate; one pass reads it for all its gates. */
struct file {
	char		*path;		/* as written in the gates file */
	char		*full;		/* --dir/path */
	int		 scanned, ok;
	int		 done;		/* its gates are through (see order) */
	int		 hashing;	/* handed to the hasher */
	char		*error;		/* why it could not be read */
	uint64_t	 rows;
	char		 sha256[65];
};

/* Keys on their way into, or looked up in, a keyset (AHEAD at a time). */
struct pending {
	struct kprobe	 p;
	uint64_t	 line;
	int		 same;		/* fk: the value of the row before */
};

struct queue {
	struct pending	 e[AHEAD];
	size_t		 head, n;
	size_t		 unfetched;	/* the newest keys, not prefetched yet */
};

/*
 * The values of one column of a file, for fk gates: loaded just before the
 * first table that needs it is read, freed after the last.
 */
struct fkset {
	int		 file;
	char		*column;
	int		 loaded;
	char		*error;
	struct keyset	 keys;
	/* built in the target's own pass (scan_file) */
	int		 building;
	int		 lane;		/* by this lane of the pass */
	size_t		 col;
	struct queue	*q;
};

/*
 * Runs of equal keys in a table read top to bottom, shared by the gates that
 * need them (unique over a compound key: its first column; the scd2 checks:
 * their key).  Per row: does a new run start, and was its key the key of an
 * earlier run (then the table is not grouped by it)?
 */
struct tracker {
	int		 file;
	const char	*spec;		/* the columns, as written */
	char		**cols;
	size_t		 ncols;
	size_t		*colidx;
	int		 live;		/* columns resolved for this pass */
	struct keyset	 seen;		/* keys of the runs so far */
	int		 sorted;	/* so far each run's key > the last's */
	int		 late;		/* no scd2_contiguous: answers may lag */
	int		 came_back;	/* late: some run's key was seen before */
	struct queue	 q;		/* late: inserts in flight */
	const char	*full;		/* the table, to catch up */
	size_t		 nfields;
	char		*prev, *kbuf;
	size_t		 prevlen, prevcap, kcap;
	int		 have_prev;
	int		 newgroup, reappeared;	/* of the current row */
	int		 lane;		/* the lane of the pass that reads it */
};

struct metric {
	char		*name, *value;
	uint64_t	 line;
};

struct step {
	char		*name, *tool, *path;
	struct metric	*m;
	size_t		 nm;
};

struct example {
	uint64_t	 line;
	char		*row;
};

struct gate {
	/* as written */
	char		*id, *file, *checkname, *columns, *argument, *sevname;
	uint64_t	 lineno;
	const struct checkdef *def;
	int		 warn_only;
	int		 fileidx;	/* -1: none */
	char		**cols;
	size_t		 ncols;
	char		*arg;		/* argument without its tolerance */
	/* tolerance: unexpected <= max_count, or share <= max_share/1e6 */
	int		 tol_share;
	uint64_t	 max_count;
	int64_t		 max_share;
	char		*tol_text;
	/* parsed argument */
	int		 has_lo, has_hi;
	double		 lo, hi;
	int64_t		 ilo, ihi;
	struct hashmap	 set;
	uint32_t	*bylen;		/* in_set: member ids by length ... */
	uint16_t	 lenstart[SET_SHORT + 1];	/* ... from here */
	regex_t		 re;
	struct idpat	*pat;		/* the same pattern without regexec */
	char		*rebuf;		/* the value NUL-terminated, for regexec */
	size_t		 recap;
	int		 fk;
	struct expr	 lhs, rhs;
	enum cmp	 cmp;
	char		**steps;	/* stats_reconcile filters */
	size_t		 nsteps;
	/* evaluation */
	const struct gate *proto;	/* a lane's copy: the gate it copies */
	int		 lane;		/* the lane of the pass that evaluates it */
	size_t		*colidx;
	int		 trk;		/* tracker index, -1: none */
	struct keyset	 kseen;		/* unique: the keys so far */
	struct queue	 q;		/* unique inserts, fk look-ups */
	int		 fk_last;	/* fk: answer for the value before */
	int		 self;		/* fk: into its own table, set built in the pass */
	char		*dbuf;		/* ... values not in it yet: line, length, bytes */
	size_t		 dlen, dcap;
	struct fkset	*feeds;		/* unique: its keys become this fk set */
	int		 fallback;	/* not grouped: a second pass decides */
	char		*gbuf;		/* unique: trailing keys of the run */
	size_t		 glen, gcap, *goff, ngoff, goffcap;
	struct keyset	 gset;		/* ... once the run is long */
	int		 gset_on;
	int		 gcur, gopen;	/* scd2_one_current: the run's state */
	uint64_t	 gline;
	size_t		 i_current, i_version, i_from, i_to;
	struct hashmap	 seen;
	uint8_t		*ncur;
	uint64_t	*keyline;	/* per key (scd2); in_set: per value */
	size_t		 keycap;
	char		*kbuf;
	size_t		 kcap;
	char		*prev_key, prev_to[32];
	size_t		 prev_keylen, prev_keycap;
	int64_t		 prev_version;
	int		 prev_current, prev_bad, have_prev;
	uint64_t	 prev_line;
	double		 vmin, vmax;
	char		 tmin[32], tmax[32];
	int		 have_range;
	/* result */
	enum status	 status;
	int		 evaluated;
	uint64_t	 checked, unexpected;
	int		 has_counts;
	enum { OBS_NONE, OBS_U64, OBS_I64, OBS_STR } obs_kind;
	uint64_t	 obs_u64;
	int64_t		 obs_i64;
	char		*obs_str;
	char		*threshold;
	char		*message;
	struct example	 ex[MAX_EXAMPLES];
	size_t		 nex;
};

/*
 * The sha256 of each table read, computed by a second thread from its own
 * reads of the file while the main thread evaluates the gates: the digest
 * (1.2 GB/s with SHA-NI) was a sixth of a run on one core.
 */
struct hasher {
	pthread_t	 tid;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct file	**q;
	size_t		 nq, next;
	int		 running, closing;
};

struct run {
	const char	*gates_path, *dir, *as_of, *output;
	struct hasher	 hash;
	size_t		 nlanes;	/* threads that may read one table */
	int		 trace;		/* say how each table is read */
	uint64_t	 split_min;	/* bytes: a smaller table gets one */
	int		 fail_on_warn;
	char		**stats_args, **params, **input_args;
	size_t		 nstats_args, nparams, ninput_args;
	struct gate	*g;
	size_t		 ng;
	struct file	*files;
	size_t		 nfiles;
	struct fkset	*fks;
	size_t		 nfks;
	struct tracker	*trk;
	size_t		 ntrk;
	struct step	*steps;
	size_t		 nsteps;
};

static void	 load_gates(struct run *);
static void	 parse_gate(struct run *, struct gate *);
static void	 parse_expr(struct run *, struct gate *, const char *,
		    struct expr *, enum cmp *, int);
static void	 load_stats(struct run *);
static void	 register_trackers(struct run *);
static size_t	*scan_order(struct run *);
static void	 load_fksets(struct run *, int);
static void	 release_fksets(struct run *);
static void	 scan_file(struct run *, int);
static void	 fetch_examples(struct run *, int);
static void	 count_current(struct gate *);
struct header;
static void	 start_trackers(struct run *, int, struct gate **, size_t,
		    const struct header *);
static void	 end_of_pass(struct run *, const struct tracker *,
		    struct gate *);
static void	 exact_pass(struct run *, int, struct gate **, size_t,
		    const struct header *);
static void	 eval_late(struct run *, struct gate *);
static void	 finish_gate(struct run *, struct gate *);
static void	 write_evidence(struct run *);
static int	 report(struct run *);
static void	 hash_request(struct run *, struct file *);
static void	 hash_finish(struct run *);
static void	 usage(FILE *);

enum { OPT_GATES = CLI_FIRST_TOOL_OPTION, OPT_DIR, OPT_AS_OF, OPT_PARAM,
    OPT_INPUT, OPT_FAIL_ON_WARN };

static const struct option longopts[] = {
	CLI_LONGOPTS,
	{ "gates",	required_argument,	NULL, OPT_GATES },
	{ "dir",	required_argument,	NULL, OPT_DIR },
	{ "as-of",	required_argument,	NULL, OPT_AS_OF },
	{ "param",	required_argument,	NULL, OPT_PARAM },
	{ "input",	required_argument,	NULL, OPT_INPUT },
	{ "output",	required_argument,	NULL, 'o' },
	{ "fail-on-warn", no_argument,		NULL, OPT_FAIL_ON_WARN },
	{ NULL, 0, NULL, 0 }
};

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n == 0 ? 1 : n)) == NULL)
		die_sys("out of memory");
	return p;
}

static char *
xstrdup(const char *s)
{
	char *d;

	if ((d = strdup(s)) == NULL)
		die_sys("out of memory");
	return d;
}

static char *
xstrndup(const char *s, size_t n)
{
	char *d = xrealloc(NULL, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static char *
xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (rc == -1)
		die_sys("out of memory");
	return s;
}

static void
push_arg(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = (char *)s;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
valid_date(const char *s)
{
	int i;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : s[i] < '0' || s[i] > '9')
			return 0;
	return s[10] == '\0';
}

/*
 * How many threads may read one table (one per CPU, at most MAX_LANES), and
 * from what size.  P07_EVIDENCE_THREADS and P07_EVIDENCE_SPLIT_MIN set them,
 * so that the tests can hold every way of reading to the same result.
 */
static void
lanes_from_env(struct run *r)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	const char *s;
	int64_t v;

	r->nlanes = ncpu < 1 ? 1 : ncpu > MAX_LANES ? MAX_LANES : (size_t)ncpu;
	r->split_min = SPLIT_MIN;
	r->trace = (s = getenv("P07_EVIDENCE_TRACE")) != NULL && *s != '\0';
	if ((s = getenv("P07_EVIDENCE_THREADS")) != NULL && *s != '\0') {
		if (!parse_i64(s, strlen(s), &v) || v < 1 || v > MAX_LANES)
			die_usage("P07_EVIDENCE_THREADS: invalid '%s' "
			    "(expected 1 to %d)", s, MAX_LANES);
		r->nlanes = (size_t)v;
	}
	if ((s = getenv("P07_EVIDENCE_SPLIT_MIN")) != NULL && *s != '\0') {
		if (!parse_i64(s, strlen(s), &v) || v < 0)
			die_usage("P07_EVIDENCE_SPLIT_MIN: invalid '%s' "
			    "(expected a number of bytes)", s);
		r->split_min = (uint64_t)v;
	}
}

int
main(int argc, char *argv[])
{
	/*
	 * Static: what the run holds stays reachable until exit (LeakSanitizer).
	 * Set afresh here, not by the initialiser, so that a harness calling
	 * main again (fuzz/fuzz_tool.c) starts from an empty run.
	 */
	static struct run r;
	struct cli c = { .usage = usage };
	size_t i, j, *order;
	int ch;

	memset(&r, 0, sizeof(r));
	r.dir = ".";
	msg_init(argv[0]);
	/*
	 * Key sets come and go table by table: from 1 MiB up they get pages of
	 * their own, given back when freed, so the peak is what is live (with
	 * glibc's moving threshold, freed sets stayed in the heap: +20 MB).
	 */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	while ((ch = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		if (ch == CLI_STATS) {	/* ours takes several, read not written */
			push_arg(&r.stats_args, &r.nstats_args, optarg);
			continue;
		}
		if (cli_common(&c, ch, optarg))
			continue;
		switch (ch) {
		case OPT_GATES:
			r.gates_path = optarg;
			break;
		case OPT_DIR:
			r.dir = optarg;
			break;
		case OPT_AS_OF:
			if (!valid_date(optarg))
				die_usage("--as-of: invalid date '%s' "
				    "(expected YYYY-MM-DD)", optarg);
			r.as_of = optarg;
			break;
		case OPT_PARAM:
			if (strchr(optarg, '=') == NULL || *optarg == '=')
				die_usage("--param: invalid '%s' (expected "
				    "KEY=VALUE)", optarg);
			push_arg(&r.params, &r.nparams, optarg);
			break;
		case OPT_INPUT:
			push_arg(&r.input_args, &r.ninput_args, optarg);
			break;
		case 'o':
			r.output = optarg;
			break;
		case OPT_FAIL_ON_WARN:
			r.fail_on_warn = 1;
			break;
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (r.gates_path == NULL)
		die_usage("--gates FILE is required");
	if (c.progress || c.counters || c.no_header)
		die_usage("--progress, --counters and -N do not apply here");
	if (r.nparams > 1)
		qsort(r.params, r.nparams, sizeof(*r.params), cmp_str);
	for (i = 1; i < r.nparams; i++) {
		j = strchr(r.params[i], '=') - r.params[i];
		if (strncmp(r.params[i], r.params[i - 1], j + 1) == 0)
			die_usage("--param: key '%.*s' given twice", (int)j,
			    r.params[i]);
	}

	lanes_from_env(&r);
	load_gates(&r);
	load_stats(&r);
	register_trackers(&r);
	order = scan_order(&r);
	for (i = 0; i < r.nfiles; i++) {
		load_fksets(&r, (int)order[i]);
		scan_file(&r, (int)order[i]);
		fetch_examples(&r, (int)order[i]);
		r.files[order[i]].done = 1;
		release_fksets(&r);
	}
	free(order);
	hash_finish(&r);
	for (i = 0; i < r.ng; i++) {
		eval_late(&r, &r.g[i]);
		finish_gate(&r, &r.g[i]);
	}
	write_evidence(&r);
	return report(&r);
}

/* The gates file ------------------------------------------------------ */

static const char *gates_name;
static uint64_t gates_line;

#define gate_error(...)	die(EXIT_USAGE, "%s:%llu: %s", gates_name, \
	(unsigned long long)gates_line, xasprintf(__VA_ARGS__))

static const char gates_header[] = "id\tfile\tcheck\tcolumns\targument\tseverity";

static int
register_file(struct run *r, const char *path)
{
	size_t i;
	struct file *f;

	for (i = 0; i < r->nfiles; i++)
		if (strcmp(r->files[i].path, path) == 0)
			return (int)i;
	r->files = xrealloc(r->files, (r->nfiles + 1) * sizeof(*r->files));
	f = &r->files[r->nfiles];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->full = path[0] == '/' ? xstrdup(path) :
	    xasprintf("%s/%s", r->dir, path);
	return (int)r->nfiles++;
}

/* "-" and the empty string both mean "nothing here". */
static int
absent(const char *s)
{
	return *s == '\0' || strcmp(s, "-") == 0;
}

static void
load_gates(struct run *r)
{
	struct tsv_in t;
	struct fields fv = { 0 };
	struct slice line;
	struct gate *g;
	char *paths[1] = { (char *)r->gates_path };
	char *cells[6];
	size_t i, j;
	int seen_header = 0;

	if (access(r->gates_path, R_OK) != 0)
		die_sys("%s", r->gates_path);
	gates_name = r->gates_path;
	tsv_open(&t, paths, 1, 0);
	while (tsv_next(&t, &line)) {
		gates_line = t.line;
		if (line.n == 0 || line.p[0] == '#')
			continue;
		if (!seen_header) {
			if (line.n != sizeof(gates_header) - 1 ||
			    memcmp(line.p, gates_header, line.n) != 0)
				gate_error("bad header (expected '%s' with "
				    "TABs)", "id file check columns argument "
				    "severity");
			seen_header = 1;
			continue;
		}
		if (tsv_split(&fv, line.p, line.n) != 6)
			gate_error("expected 6 fields (id file check columns "
			    "argument severity), found %zu", fv.n);
		for (i = 0; i < 6; i++) {
			if (memchr(fv.f[i].p, '\0', fv.f[i].n) != NULL)
				gate_error("NUL byte in field %zu", i + 1);
			cells[i] = xstrndup(fv.f[i].p, fv.f[i].n);
		}
		r->g = xrealloc(r->g, (r->ng + 1) * sizeof(*r->g));
		g = &r->g[r->ng++];
		memset(g, 0, sizeof(*g));
		g->id = cells[0];
		g->file = cells[1];
		g->checkname = cells[2];
		g->columns = cells[3];
		g->argument = cells[4];
		g->sevname = cells[5];
		g->lineno = t.line;
		parse_gate(r, g);
		for (j = 0; j + 1 < r->ng; j++)
			if (strcmp(r->g[j].id, g->id) == 0)
				gate_error("duplicate gate id '%s' (first on "
				    "line %llu)", g->id,
				    (unsigned long long)r->g[j].lineno);
	}
	if (!seen_header)
		gate_error("no header line (expected 'id file check columns "
		    "argument severity')");
	tsv_close(&t);
	fields_free(&fv);
}

static const char *
check_list(void)
{
	static char buf[512];
	size_t i;

	if (buf[0] != '\0')
		return buf;
	for (i = 0; i < NCHECKS; i++) {
		if (i > 0)
			strcat(buf, ", ");
		strcat(buf, checkdefs[i].name);
	}
	return buf;
}

/* Split "a,b,c" (with \, and \\ escapes when ESC) into a new array. */
static size_t
split_list(const char *s, int esc, char ***out)
{
	char **v = NULL, *cur = xrealloc(NULL, strlen(s) + 1);
	size_t n = 0, len = 0;

	for (;; s++) {
		if (esc && *s == '\\' && (s[1] == ',' || s[1] == '\\')) {
			cur[len++] = *++s;
			continue;
		}
		if (*s == ',' || *s == '\0') {
			v = xrealloc(v, (n + 1) * sizeof(*v));
			v[n++] = xstrndup(cur, len);
			len = 0;
			if (*s == '\0')
				break;
			continue;
		}
		cur[len++] = *s;
	}
	free(cur);
	*out = v;
	return n;
}

/* Split off a trailing ";max_count=N" or ";max_share=X" from ARG. */
static void
parse_tolerance(struct gate *g)
{
	char *p = NULL, *q, *s = g->argument;
	int64_t v;

	for (q = s; (q = strchr(q, ';')) != NULL; q++)
		if (strncmp(q, ";max_count=", 11) == 0 ||
		    strncmp(q, ";max_share=", 11) == 0)
			p = q;
	g->arg = xstrndup(s, p != NULL ? (size_t)(p - s) : strlen(s));
	if (absent(g->arg))
		g->arg[0] = '\0';
	if (p == NULL) {
		g->tol_text = xstrdup("<= 0");
		return;
	}
	if (!g->def->per_row && g->def->check != STATS_RECONCILE)
		gate_error("%s takes no tolerance ('%s')", g->checkname, p);
	if (p[5] == 'c') {
		if (!parse_i64(p + 11, strlen(p + 11), &v) || v < 0)
			gate_error("bad max_count '%s' (expected an integer "
			    ">= 0)", p + 11);
		g->max_count = (uint64_t)v;
		g->tol_text = xasprintf("<= %s", p + 11);
	} else {
		if (!parse_scaled(p + 11, strlen(p + 11), 6, &v) || v < 0 ||
		    v > 1000000)
			gate_error("bad max_share '%s' (expected a decimal "
			    "from 0 to 1, at most 6 digits)", p + 11);
		g->tol_share = 1;
		g->max_share = v;
		g->tol_text = xasprintf("share <= %s", p + 11);
	}
}

/* "lo..hi", either side may be empty; integers when INTEGER. */
static void
parse_range(struct gate *g, int integer)
{
	const char *s = g->arg, *dots = strstr(s, "..");
	size_t nlo, nhi;

	if (dots == NULL)
		gate_error("bad range '%s' (expected LO..HI)", s);
	nlo = dots - s;
	nhi = strlen(dots + 2);
	g->has_lo = nlo > 0;
	g->has_hi = nhi > 0;
	if (!g->has_lo && !g->has_hi)
		gate_error("bad range '%s' (LO or HI is needed)", s);
	if (integer) {
		if ((g->has_lo && (!parse_i64(s, nlo, &g->ilo) || g->ilo < 0))
		    || (g->has_hi && (!parse_i64(dots + 2, nhi, &g->ihi) ||
		    g->ihi < 0)))
			gate_error("bad range '%s' (expected non-negative "
			    "integers)", s);
		if (g->has_lo && g->has_hi && g->ilo > g->ihi)
			gate_error("empty range '%s'", s);
	} else {
		if ((g->has_lo && !parse_double(s, nlo, &g->lo)) ||
		    (g->has_hi && !parse_double(dots + 2, nhi, &g->hi)))
			gate_error("bad range '%s' (expected numbers)", s);
		if (g->has_lo && g->has_hi && g->lo > g->hi)
			gate_error("empty range '%s'", s);
	}
}

/*
 * A short enumeration (category, is_lead) is looked up by comparing the
 * few members of the value's length: no hash of the value.  Sets with many
 * members of one length keep to the hashmap (g->bylen NULL).
 */
static void
index_set(struct gate *g)
{
	size_t count[SET_SHORT + 1] = { 0 }, len, i;
	uint32_t id;

	for (id = 0; id < g->set.count; id++) {
		hmap_key(&g->set, id, &len);
		if (len < SET_SHORT && ++count[len] > SET_BUCKET)
			return;
	}
	for (len = 0, i = 0; len < SET_SHORT; len++) {
		g->lenstart[len] = (uint16_t)i;
		i += count[len];
	}
	g->lenstart[SET_SHORT] = (uint16_t)i;
	g->bylen = xrealloc(NULL, (i + 1) * sizeof(*g->bylen));
	memset(count, 0, sizeof(count));
	for (id = 0; id < g->set.count; id++) {
		hmap_key(&g->set, id, &len);
		if (len < SET_SHORT)
			g->bylen[g->lenstart[len] + count[len]++] = id;
	}
}

static int
in_set(const struct gate *g, struct slice v)
{
	const char *k;
	size_t i, n;

	if (g->bylen == NULL || v.n >= SET_SHORT)
		return hmap_find(&g->set, v.p, v.n) != HMAP_NONE;
	for (i = g->lenstart[v.n]; i < g->lenstart[v.n + 1]; i++) {
		k = hmap_key(&g->set, g->bylen[i], &n);
		if (v.n == 0 || memcmp(k, v.p, v.n) == 0)
			return 1;
	}
	return 0;
}

static void
parse_argument(struct run *r, struct gate *g)
{
	char **v, *colon, buf[256];
	size_t i, n;
	int rc, isnew;

	switch (g->def->check) {
	case ROW_COUNT_BETWEEN:
		parse_range(g, 1);
		break;
	case BETWEEN:
		parse_range(g, 0);
		break;
	case ROW_COUNT_EQ:
		if (g->fileidx >= 0) {
			parse_expr(r, g, g->arg, &g->rhs, NULL, 0);
			break;
		}
		parse_expr(r, g, g->arg, &g->lhs, &g->cmp, 1);
		if (g->cmp != CMP_EQ)
			gate_error("row_count_eq without a file needs "
			    "'EXPR = EXPR' (use expr for other comparisons)");
		break;
	case EXPR:
		parse_expr(r, g, g->arg, &g->lhs, &g->cmp, 1);
		break;
	case IN_SET:
		n = split_list(g->arg, 1, &v);
		hmap_init(&g->set, n);
		for (i = 0; i < n; i++) {
			hmap_insert(&g->set, v[i], strlen(v[i]), &isnew);
			free(v[i]);
		}
		free(v);
		index_set(g);
		break;
	case MATCHES:
		if ((rc = regcomp(&g->re, g->arg, REG_EXTENDED | REG_NOSUB))
		    != 0) {
			regerror(rc, &g->re, buf, sizeof(buf));
			gate_error("bad regular expression '%s': %s", g->arg,
			    buf);
		}
		/* regcomp still judges the pattern: same errors either way */
		g->pat = xrealloc(NULL, sizeof(*g->pat));
		if (!idpat_compile(g->pat, g->arg)) {
			free(g->pat);
			g->pat = NULL;
		}
		break;
	case FK:
		if ((colon = strrchr(g->arg, ':')) == NULL ||
		    colon == g->arg || colon[1] == '\0')
			gate_error("bad fk target '%s' (expected FILE:COLUMN)",
			    g->arg);
		*colon = '\0';
		n = register_file(r, g->arg);
		for (i = 0; i < r->nfks; i++)
			if (r->fks[i].file == (int)n &&
			    strcmp(r->fks[i].column, colon + 1) == 0)
				break;
		if (i == r->nfks) {
			r->fks = xrealloc(r->fks, (i + 1) * sizeof(*r->fks));
			memset(&r->fks[i], 0, sizeof(r->fks[i]));
			r->fks[i].file = (int)n;
			r->fks[i].column = xstrdup(colon + 1);
			r->nfks++;
		}
		g->fk = (int)i;
		*colon = ':';
		break;
	case SHA256:
		if (g->arg[0] == '\0')
			break;
		for (i = 0; g->arg[i] != '\0'; i++)
			if (strchr("0123456789abcdef", g->arg[i]) == NULL)
				break;
		if (i != 64 || g->arg[i] != '\0')
			gate_error("bad sha256 '%s' (expected 64 lowercase hex "
			    "digits, or nothing to record)", g->arg);
		break;
	case STATS_RECONCILE:
		if (g->arg[0] != '\0')
			g->nsteps = split_list(g->arg, 0, &g->steps);
		for (i = 0; i < g->nsteps; i++)
			if (g->steps[i][0] == '\0')
				gate_error("empty step or tool name in '%s'",
				    g->arg);
		break;
	default:
		break;
	}
}

static void
parse_gate(struct run *r, struct gate *g)
{
	size_t i;

	if (g->id[0] == '\0')
		gate_error("empty gate id");
	for (i = 0; i < NCHECKS; i++)
		if (strcmp(checkdefs[i].name, g->checkname) == 0)
			g->def = &checkdefs[i];
	if (g->def == NULL)
		gate_error("unknown check '%s' (expected one of: %s)",
		    g->checkname, check_list());
	if (strcmp(g->sevname, "warn") == 0)
		g->warn_only = 1;
	else if (strcmp(g->sevname, "error") != 0)
		gate_error("unknown severity '%s' (expected error or warn)",
		    g->sevname);
	g->fileidx = -1;
	if (g->def->file == NO && !absent(g->file))
		gate_error("%s takes no file (found '%s')", g->checkname,
		    g->file);
	if (g->def->file == ONE && absent(g->file))
		gate_error("%s needs a file", g->checkname);
	if (!absent(g->file))
		g->fileidx = register_file(r, g->file);
	else
		g->file[0] = '\0';
	if (g->def->columns == NO && !absent(g->columns))
		gate_error("%s takes no columns (found '%s')", g->checkname,
		    g->columns);
	if (g->def->columns != NO) {
		if (absent(g->columns))
			gate_error("%s needs %s", g->checkname,
			    g->def->columns == ONE ? "a column" : "columns");
		g->ncols = split_list(g->columns, 0, &g->cols);
		if (g->def->columns == ONE && g->ncols != 1)
			gate_error("%s takes one column (found '%s')",
			    g->checkname, g->columns);
		for (i = 0; i < g->ncols; i++)
			if (g->cols[i][0] == '\0')
				gate_error("empty column name in '%s'",
				    g->columns);
	} else
		g->columns[0] = '\0';
	parse_tolerance(g);
	if (g->def->argument == NO && g->arg[0] != '\0')
		gate_error("%s takes no argument (found '%s')", g->checkname,
		    g->arg);
	if (g->def->argument == ONE && g->arg[0] == '\0')
		gate_error("%s needs an argument", g->checkname);
	parse_argument(r, g);
}

/* Expressions --------------------------------------------------------- */

struct parser {
	struct run	*r;
	struct gate	*g;
	const char	*s, *p;
	struct expr	*e;
};

static int
new_node(struct parser *ps, enum node_kind kind, int l, int rr)
{
	struct expr *e = ps->e;

	e->n = xrealloc(e->n, (e->nn + 1) * sizeof(*e->n));
	memset(&e->n[e->nn], 0, sizeof(e->n[0]));
	e->n[e->nn].kind = kind;
	e->n[e->nn].l = l;
	e->n[e->nn].r = rr;
	return e->nn++;
}

static void
skip_space(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t')
		ps->p++;
}

static int	 parse_sum(struct parser *);

static int
is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int
is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' ||
	    c == '.';
}

static int
parse_factor(struct parser *ps)
{
	const char *start, *end, *dot;
	struct gate *g = ps->g;
	int id;

	skip_space(ps);
	start = ps->p;
	if (*ps->p == '-') {
		ps->p++;
		return new_node(ps, N_NEG, parse_factor(ps), -1);
	}
	if (*ps->p == '(') {
		ps->p++;
		id = parse_sum(ps);
		skip_space(ps);
		if (*ps->p != ')')
			gate_error("expected ')' at offset %d in '%s'",
			    (int)(ps->p - ps->s), ps->s);
		ps->p++;
		return id;
	}
	if (*ps->p >= '0' && *ps->p <= '9') {
		while (*ps->p >= '0' && *ps->p <= '9')
			ps->p++;
		id = new_node(ps, N_NUM, -1, -1);
		if (!parse_i64(start, ps->p - start, &ps->e->n[id].num))
			gate_error("number too large in '%s'", ps->s);
		return id;
	}
	if (strncmp(ps->p, "rows(", 5) == 0) {
		start = ps->p + 5;
		if ((end = strchr(start, ')')) == NULL || end == start)
			gate_error("bad rows(FILE) in '%s'", ps->s);
		id = new_node(ps, N_ROWS, -1, -1);
		ps->e->n[id].name = xstrndup(start, end - start);
		ps->e->n[id].file = register_file(ps->r, ps->e->n[id].name);
		ps->p = end + 1;
		return id;
	}
	if (!is_name_start(*ps->p))
		gate_error("expected a number, STEP.METRIC, rows(FILE) or '(' "
		    "at offset %d in '%s'", (int)(ps->p - ps->s), ps->s);
	while (is_name_char(*ps->p))
		ps->p++;
	dot = memchr(start, '.', ps->p - start);
	if (dot == NULL || dot == start || dot + 1 == ps->p ||
	    memchr(dot + 1, '.', ps->p - dot - 1) != NULL)
		gate_error("bad name '%.*s' in '%s' (expected STEP.METRIC or "
		    "TOOL.METRIC)", (int)(ps->p - start), start, ps->s);
	id = new_node(ps, N_NAME, -1, -1);
	ps->e->n[id].name = xstrndup(start, ps->p - start);
	(void)g;
	return id;
}

static int
parse_term(struct parser *ps)
{
	int id = parse_factor(ps);

	for (;;) {
		skip_space(ps);
		if (*ps->p != '*')
			return id;
		ps->p++;
		id = new_node(ps, N_MUL, id, parse_factor(ps));
	}
}

static int
parse_sum(struct parser *ps)
{
	int id = parse_term(ps);
	char op;

	for (;;) {
		skip_space(ps);
		if (*ps->p != '+' && *ps->p != '-')
			return id;
		op = *ps->p++;
		id = new_node(ps, op == '+' ? N_ADD : N_SUB, id,
		    parse_term(ps));
	}
}

static int
parse_cmp(struct parser *ps, enum cmp *c)
{
	static const struct { const char *s; enum cmp c; } ops[] = {
		{ "==", CMP_EQ }, { "!=", CMP_NE }, { "<=", CMP_LE },
		{ ">=", CMP_GE }, { "=", CMP_EQ }, { "<", CMP_LT },
		{ ">", CMP_GT }
	};
	size_t i;

	skip_space(ps);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strncmp(ps->p, ops[i].s, strlen(ops[i].s)) == 0) {
			ps->p += strlen(ops[i].s);
			*c = ops[i].c;
			return 1;
		}
	return 0;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/*
 * Parse S into E; with COMPARE, S is "EXPR OP EXPR" and the right side goes
 * to the gate's rhs.
 */
static void
parse_expr(struct run *r, struct gate *g, const char *s, struct expr *e,
    enum cmp *c, int compare)
{
	struct parser ps = { r, g, s, s, e };
	int id;

	/* A lone path names another file: its row count. */
	if (!compare && strpbrk(s, " \t+*()") == NULL && (strchr(s, '/') !=
	    NULL || ends_with(s, ".tsv") || ends_with(s, ".tsv.gz"))) {
		id = new_node(&ps, N_ROWS, -1, -1);
		e->n[id].name = xstrdup(s);
		e->n[id].file = register_file(r, s);
		e->root = id;
		return;
	}
	e->root = parse_sum(&ps);
	if (compare) {
		if (!parse_cmp(&ps, c))
			gate_error("expected a comparison (= != < <= > >=) at "
			    "offset %d in '%s'", (int)(ps.p - s), s);
		ps.e = &g->rhs;
		g->rhs.root = parse_sum(&ps);
	}
	skip_space(&ps);
	if (*ps.p != '\0')
		gate_error("unexpected '%s' at offset %d in '%s'", ps.p,
		    (int)(ps.p - s), s);
}

/* Stats files --------------------------------------------------------- */

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static void
load_stats_file(struct run *r, const char *path)
{
	struct tsv_in t;
	struct fields fv = { 0 };
	struct slice line;
	struct step *st;
	char *paths[1] = { (char *)path };
	const char *b = base_name(path), *dot = strchr(b, '.');
	size_t i;

	r->steps = xrealloc(r->steps, (r->nsteps + 1) * sizeof(*r->steps));
	st = &r->steps[r->nsteps];
	memset(st, 0, sizeof(*st));
	st->name = xstrndup(b, dot != NULL ? (size_t)(dot - b) : strlen(b));
	st->path = xstrdup(path);
	if (st->name[0] == '\0')
		die(EXIT_DATA, "%s: stats file name has no step (expected "
		    "STEP.TOOL.tsv)", path);
	for (i = 0; i < r->nsteps; i++)
		if (strcmp(r->steps[i].name, st->name) == 0)
			die(EXIT_DATA, "%s: step '%s' already comes from %s",
			    path, st->name, r->steps[i].path);
	if (access(path, R_OK) != 0)
		die_sys("%s", path);
	tsv_open(&t, paths, 1, TSV_HEADER);
	if (strcmp(t.header, "tool\tmetric\tvalue") != 0)
		die_at(path, 1, "not a stats file (expected the header "
		    "'tool metric value')");
	while (tsv_next(&t, &line)) {
		if (tsv_split(&fv, line.p, line.n) != 3)
			die_at(path, t.line, "expected 3 fields, found %zu", fv.n);
		if (st->tool == NULL)
			st->tool = xstrndup(fv.f[0].p, fv.f[0].n);
		else if (!slice_eq(fv.f[0], st->tool))
			die_at(path, t.line, "tool '%.*s' differs from '%s' "
			    "on line 2", (int)fv.f[0].n, fv.f[0].p, st->tool);
		for (i = 0; i < st->nm; i++)
			if (slice_eq(fv.f[1], st->m[i].name))
				die_at(path, t.line, "metric '%s' given twice",
				    st->m[i].name);
		st->m = xrealloc(st->m, (st->nm + 1) * sizeof(*st->m));
		st->m[st->nm].name = xstrndup(fv.f[1].p, fv.f[1].n);
		st->m[st->nm].value = xstrndup(fv.f[2].p, fv.f[2].n);
		st->m[st->nm++].line = t.line;
	}
	if (st->tool == NULL)
		st->tool = xstrdup("");
	tsv_close(&t);
	fields_free(&fv);
	r->nsteps++;
}

static int
is_tsv_name(const char *s)
{
	size_t n = strlen(s);

	return s[0] != '.' && n > 4 && strcmp(s + n - 4, ".tsv") == 0;
}

static int
cmp_step(const void *a, const void *b)
{
	return strcmp(((const struct step *)a)->name,
	    ((const struct step *)b)->name);
}

static void
load_stats(struct run *r)
{
	struct stat sb;
	struct dirent *de;
	DIR *d;
	char **names;
	size_t i, j, n;

	for (i = 0; i < r->nstats_args; i++) {
		if (stat(r->stats_args[i], &sb) == -1)
			die_sys("%s", r->stats_args[i]);
		if (!S_ISDIR(sb.st_mode)) {
			load_stats_file(r, r->stats_args[i]);
			continue;
		}
		if ((d = opendir(r->stats_args[i])) == NULL)
			die_sys("%s", r->stats_args[i]);
		names = NULL;
		n = 0;
		while ((errno = 0, de = readdir(d)) != NULL)
			if (is_tsv_name(de->d_name))
				push_arg(&names, &n, xasprintf("%s/%s",
				    r->stats_args[i], de->d_name));
		if (errno != 0)
			die_sys("%s", r->stats_args[i]);
		closedir(d);
		if (n > 1)
			qsort(names, n, sizeof(*names), cmp_str);
		for (j = 0; j < n; j++) {
			load_stats_file(r, names[j]);
			free(names[j]);
		}
		free(names);
	}
	if (r->nsteps > 1)
		qsort(r->steps, r->nsteps, sizeof(*r->steps), cmp_step);
}

static const struct metric *
find_metric(const struct step *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->nm; i++)
		if (strcmp(st->m[i].name, name) == 0)
			return &st->m[i];
	return NULL;
}

/*
 * Resolve "STEP.METRIC" or "TOOL.METRIC" (a tool run by exactly one step)
 * to an integer; on failure *WHY says what is missing.
 */
static int
stat_value(struct run *r, const char *name, int64_t *v, char **why)
{
	const char *dot = strchr(name, '.');
	const struct step *st = NULL;
	const struct metric *m;
	size_t i, len = dot - name, ntool = 0;

	for (i = 0; i < r->nsteps; i++)
		if (strlen(r->steps[i].name) == len &&
		    memcmp(r->steps[i].name, name, len) == 0)
			st = &r->steps[i];
	if (st == NULL)
		for (i = 0; i < r->nsteps; i++)
			if (strlen(r->steps[i].tool) == len &&
			    memcmp(r->steps[i].tool, name, len) == 0) {
				st = &r->steps[i];
				ntool++;
			}
	if (st == NULL) {
		*why = xasprintf("%s: no step or tool '%.*s' in the stats",
		    name, (int)len, name);
		return 0;
	}
	if (ntool > 1) {
		*why = xasprintf("%s: tool '%.*s' runs in %zu steps (name the "
		    "step)", name, (int)len, name, ntool);
		return 0;
	}
	if ((m = find_metric(st, dot + 1)) == NULL) {
		*why = xasprintf("%s: step '%s' has no metric '%s'", name,
		    st->name, dot + 1);
		return 0;
	}
	if (!parse_i64(m->value, strlen(m->value), v)) {
		*why = xasprintf("%s: '%s' is not an integer (%s:%llu)", name,
		    m->value, st->path, (unsigned long long)m->line);
		return 0;
	}
	return 1;
}

static int
eval_node(struct run *r, const struct expr *e, int id, int64_t *v,
    char **why)
{
	const struct node *n = &e->n[id];
	const struct file *f;
	int64_t a, b;

	switch (n->kind) {
	case N_NUM:
		*v = n->num;
		return 1;
	case N_NAME:
		return stat_value(r, n->name, v, why);
	case N_ROWS:
		f = &r->files[n->file];
		if (!f->ok) {
			*why = xasprintf("rows(%s): %s", f->path, f->error);
			return 0;
		}
		*v = (int64_t)f->rows;
		return 1;
	case N_NEG:
		if (!eval_node(r, e, n->l, &a, why))
			return 0;
		if (__builtin_sub_overflow((int64_t)0, a, v))
			goto overflow;
		return 1;
	default:
		break;
	}
	if (!eval_node(r, e, n->l, &a, why) || !eval_node(r, e, n->r, &b, why))
		return 0;
	if ((n->kind == N_ADD && __builtin_add_overflow(a, b, v)) ||
	    (n->kind == N_SUB && __builtin_sub_overflow(a, b, v)) ||
	    (n->kind == N_MUL && __builtin_mul_overflow(a, b, v)))
		goto overflow;
	return 1;
overflow:
	*why = xstrdup("integer overflow");
	return 0;
}

/* Reading the tables -------------------------------------------------- */

static void
grab_sha256(struct tsv_in *t, void *arg)
{
	struct file *f = arg;

	input_sha256_hex(t->in, f->sha256);
}

/*
 * Open FILE with its header; 0 (and f->error set) when it cannot be read.
 * FLAGS INPUT_SHA256: the digest comes with the pass (--input files), as
 * it does for anything but a regular file (a pipe cannot be read twice).
 */
static int
open_table(struct file *f, struct tsv_in *t, int flags)
{
	struct stat sb;

	if (stat(f->full, &sb) == -1) {
		f->error = xasprintf("cannot open %s: %s", f->full,
		    strerror(errno));
		return 0;
	}
	if (S_ISDIR(sb.st_mode)) {
		f->error = xasprintf("%s is a directory", f->full);
		return 0;
	}
	if (access(f->full, R_OK) != 0) {
		f->error = xasprintf("cannot open %s: %s", f->full,
		    strerror(errno));
		return 0;
	}
	if (sb.st_size == 0) {
		f->error = xasprintf("%s is empty (expected a header line)",
		    f->full);
		return 0;
	}
	if (!S_ISREG(sb.st_mode)) {
		flags |= INPUT_SHA256;
		f->hashing = 1;		/* not by the hasher */
	}
	tsv_open(t, &f->full, 1, TSV_HEADER | flags);
	if (flags & INPUT_SHA256) {
		t->on_file_end = grab_sha256;
		t->cb_arg = f;
	}
	return 1;
}

/*
 * What to reserve in a set of COUNT keys after reading READ of TOTAL bytes:
 * a little less than the same density gives (a few more keys come in one
 * last growth; a few too many could double the table).
 */
static size_t
expect_keys(size_t count, uint64_t read, uint64_t total)
{
	return read == 0 ? count : (size_t)((double)count * total / read * 0.95);
}

/* The size of F, open as T, when the bytes read tell how far it is; else 0. */
static uint64_t
plain_size(const struct file *f, struct tsv_in *t)
{
	struct stat sb;

	if (t->in == NULL || input_is_gzip(t->in) || stat(f->full, &sb) == -1 ||
	    !S_ISREG(sb.st_mode))
		return 0;
	return (uint64_t)sb.st_size;
}

/* Index of NAME (or a 1-based number) in H, or -1. */
static long
find_column(const struct header *h, const char *name)
{
	char *end;
	long v;

	if (*name >= '1' && *name <= '9') {
		v = strtol(name, &end, 10);
		if (*end == '\0')
			return v <= (long)h->names.n ? v - 1 : -1;
	}
	return header_find(h, name, strlen(name));
}

static char *
missing_column(const struct file *f, const struct header *h,
    const char *name)
{
	return xasprintf("no column '%s' in %s (header: %s)", name, f->path,
	    h->line);
}

static int
is_null(struct slice v)
{
	return v.n == 2 && v.p[0] == '\\' && v.p[1] == 'N';
}

/*
 * A FIFO of AHEAD keys: encoded when they come in, their slots prefetched
 * BURST at a time (see keyset.h: in a row, or each waits for its own page
 * walk), used when they leave, BURST to AHEAD keys later.
 */
static struct pending *
queue_push(struct queue *q)
{
	return &q->e[(q->head + q->n++) % AHEAD];
}

/* The key just pushed is ready for KS: every BURST keys, prefetch them. */
static void
queue_fetch(struct queue *q, const struct keyset *ks)
{
	size_t i;

	if (++q->unfetched < BURST)
		return;
	for (i = q->n - BURST; i < q->n; i++)
		kset_prefetch(ks, &q->e[(q->head + i) % AHEAD].p);
	q->unfetched = 0;
}

static struct pending *
queue_pop(struct queue *q)
{
	struct pending *e = &q->e[q->head];

	if (q->unfetched == q->n)	/* a drain reached the newest */
		q->unfetched--;
	q->head = (q->head + 1) % AHEAD;
	q->n--;
	return e;
}

static void
queue_reset(struct queue *q)
{
	q->head = q->n = q->unfetched = 0;
}

static void	unexpected_row(struct gate *, uint64_t);

/* Insert the oldest queued key; a repeat is unexpected for G (if any). */
static void
insert_oldest(struct keyset *ks, struct queue *q, struct gate *g)
{
	struct pending *e = queue_pop(q);

	if (!kset_insert_encoded(ks, &e->p) && g != NULL)
		unexpected_row(g, e->line);
}

static void
insert_drain(struct keyset *ks, struct queue *q, struct gate *g)
{
	while (q->n > 0)
		insert_oldest(ks, q, g);
}

/*
 * Insert KEY in order with the keys before it, AHEAD keys late so that
 * their slots are in the cache by then; G, when given, counts repeats.
 */
static void
insert_key(struct keyset *ks, struct queue *q, struct slice key,
    uint64_t line, struct gate *g)
{
	struct pending *e;

	if (q->n == AHEAD)
		insert_oldest(ks, q, g);
	e = queue_push(q);
	if (kset_encode(ks, key.p, key.n, &e->p)) {
		e->line = line;
		queue_fetch(q, ks);
		return;
	}
	/* Not a fixed-width key: everything before it goes in first. */
	q->n--;
	insert_drain(ks, q, g);
	if (!kset_insert(ks, key.p, key.n) && g != NULL)
		unexpected_row(g, line);
}

/* Does any gate on table FI use fk set K? */
static int
fk_needed_by(const struct run *r, size_t k, int fi)
{
	size_t i;

	for (i = 0; i < r->ng; i++)
		if (r->g[i].def->check == FK && r->g[i].fk == (int)k &&
		    r->g[i].fileidx == fi && !r->g[i].evaluated)
			return 1;
	return 0;
}

/*
 * Before table FI is read: load the fk sets its gates need, one pass per
 * target table for all its columns they need.  Only those: a set is held
 * only while tables that use it are read (release_fksets).
 */
static void
load_fksets(struct run *r, int target_of)
{
	struct tsv_in t;
	struct header h;
	struct fields fv = { 0 };
	struct slice line;
	struct file *f;
	struct fkset *k;
	struct queue *q = xrealloc(NULL, (r->nfks + 1) * sizeof(*q));
	long *idx = xrealloc(NULL, (r->nfks + 1) * sizeof(*idx));
	uint64_t size;
	size_t i, fi;
	int any;

	for (fi = 0; fi < r->nfiles; fi++) {
		f = &r->files[fi];
		for (i = 0, any = 0; i < r->nfks; i++) {
			k = &r->fks[i];
			idx[i] = -1;
			/* into the table itself: built in its pass */
			if (k->file == (int)fi && k->file != target_of &&
			    !k->loaded && k->error == NULL &&
			    fk_needed_by(r, i, target_of))
				idx[i] = any = 1;
		}
		if (!any)
			continue;
		free(f->error);		/* owned by F: the others copy it */
		f->error = NULL;
		if (!open_table(f, &t, 0)) {
			for (i = 0; i < r->nfks; i++)
				if (idx[i] >= 0)
					r->fks[i].error = xstrdup(f->error);
			continue;
		}
		hash_request(r, f);
		size = plain_size(f, &t);
		header_init(&h, t.header, t.header_len);
		for (i = 0; i < r->nfks; i++) {
			k = &r->fks[i];
			if (idx[i] < 0)
				continue;
			k->loaded = 1;
			queue_reset(&q[i]);
			if ((idx[i] = find_column(&h, k->column)) < 0)
				k->error = missing_column(f, &h, k->column);
			else
				kset_init(&k->keys, 1 << 12);
		}
		f->rows = 0;
		while (tsv_next(&t, &line)) {
			f->rows++;
			if (size > 0 && t.bytes * 8 >= size) {	/* see reserve_sets */
				for (i = 0; i < r->nfks; i++)
					if (idx[i] >= 0 && r->fks[i].error == NULL)
						kset_reserve(&r->fks[i].keys,
						    expect_keys(kset_count(
						    &r->fks[i].keys), t.bytes,
						    size));
				size = 0;
			}
			tsv_split(&fv, line.p, line.n);
			for (i = 0; i < r->nfks; i++) {
				if (idx[i] < 0 || r->fks[i].error != NULL)
					continue;
				if ((size_t)idx[i] >= fv.n || fv.n != h.names.n) {
					r->fks[i].error = xasprintf("%s:%llu: "
					    "%zu fields (header has %zu)",
					    f->path, (unsigned long long)t.line,
					    fv.n, h.names.n);
					continue;
				}
				insert_key(&r->fks[i].keys, &q[i],
				    fv.f[idx[i]], 0, NULL);
			}
		}
		for (i = 0; i < r->nfks; i++)
			if (idx[i] >= 0 && r->fks[i].error == NULL)
				insert_drain(&r->fks[i].keys, &q[i], NULL);
		tsv_close(&t);
		header_free(&h);
		f->scanned = f->ok = 1;
	}
	fields_free(&fv);
	free(idx);
	free(q);
}

/* Is fk set K used by a gate on a table not read yet (other than FI)? */
static int
fk_needed_later(const struct run *r, size_t k, int fi)
{
	size_t i;

	for (i = 0; i < r->ng; i++)
		if (r->g[i].def->check == FK && r->g[i].fk == (int)k &&
		    r->g[i].fileidx != fi && !r->files[r->g[i].fileidx].done &&
		    !r->g[i].evaluated)
			return 1;
	return 0;
}

/*
 * The order the tables are read in: the files as the gates name them, but
 * right after a table the tables whose fk targets are now all read (a set
 * is then built in the target's own pass, used at once and freed).
 */
static void
emit_file(struct run *r, size_t fi, size_t *order, size_t *n, char *out)
{
	size_t i, k, y;
	int uses, ready;

	order[(*n)++] = fi;
	out[fi] = 1;
	for (y = 0; y < r->nfiles; y++) {
		if (out[y])
			continue;
		uses = 0;
		ready = 1;
		for (i = 0; i < r->ng; i++) {
			if (r->g[i].def->check != FK || r->g[i].fileidx != (int)y)
				continue;
			k = (size_t)r->fks[r->g[i].fk].file;
			if (k == fi)
				uses = 1;
			else if (k != y && !out[k])
				ready = 0;
		}
		if (uses && ready && !out[y])
			emit_file(r, y, order, n, out);
	}
}

static size_t *
scan_order(struct run *r)
{
	size_t *order = xrealloc(NULL, r->nfiles * sizeof(*order)), i, n = 0;
	char *out = xrealloc(NULL, r->nfiles);

	memset(out, 0, r->nfiles);
	for (i = 0; i < r->nfiles; i++)
		if (!out[i])
			emit_file(r, i, order, &n, out);
	free(out);
	return order;
}

/* After a table: free the fk sets no table still to be read needs. */
static void
release_fksets(struct run *r)
{
	size_t k;

	for (k = 0; k < r->nfks; k++) {
		if (!r->fks[k].loaded || r->fks[k].error != NULL)
			continue;
		if (!fk_needed_later(r, k, -1)) {
			kset_free(&r->fks[k].keys);
			r->fks[k].loaded = 0;
		}
	}
}

/* Runs of keys --------------------------------------------------------- */

static int
uses_tracker(const struct gate *g)
{
	return (g->def->check == UNIQUE && g->ncols > 1) ||
	    g->def->check == SCD2_ONE_CURRENT ||
	    g->def->check == SCD2_CONTIGUOUS;
}

/* One tracker per table and key: the gates on the same key share it. */
static void
register_trackers(struct run *r)
{
	struct gate *g;
	struct tracker *tr;
	const char *spec;
	size_t i, j;

	for (i = 0; i < r->ng; i++) {
		g = &r->g[i];
		g->trk = -1;
		if (!uses_tracker(g))
			continue;
		/* unique: runs of the first column; scd2: of the key */
		spec = g->def->check == UNIQUE ? g->cols[0] : g->columns;
		for (j = 0; j < r->ntrk; j++)
			if (r->trk[j].file == g->fileidx &&
			    strcmp(r->trk[j].spec, spec) == 0)
				break;
		if (j == r->ntrk) {
			r->trk = xrealloc(r->trk, (j + 1) * sizeof(*r->trk));
			tr = &r->trk[r->ntrk++];
			memset(tr, 0, sizeof(*tr));
			tr->file = g->fileidx;
			tr->spec = spec;
			tr->cols = g->cols;
			tr->ncols = g->def->check == UNIQUE ? 1 : g->ncols;
			tr->late = 1;
		}
		if (g->def->check == SCD2_CONTIGUOUS)
			r->trk[j].late = 0;	/* needs the answer per row */
		g->trk = (int)j;
	}
}

static void
tracker_start(struct tracker *tr, const struct header *h, const char *full)
{
	size_t i;
	long c;

	tr->live = 0;
	tr->colidx = xrealloc(tr->colidx, tr->ncols * sizeof(*tr->colidx));
	for (i = 0; i < tr->ncols; i++) {
		if ((c = find_column(h, tr->cols[i])) < 0)
			return;		/* its gates report the column */
		tr->colidx[i] = (size_t)c;
	}
	tr->live = 1;
	tr->lane = 0;
	tr->have_prev = 0;
	tr->sorted = 1;
	tr->came_back = 0;
	queue_reset(&tr->q);
	tr->full = full;
	tr->nfields = h->names.n;
	kset_init(&tr->seen, 1 << 12);
}

/* The oldest late insert; a key seen before makes the table ungrouped. */
static void
tracker_oldest(struct tracker *tr)
{
	if (!kset_insert_encoded(&tr->seen, &queue_pop(&tr->q)->p))
		tr->came_back = 1;
}

/*
 * A new run's key into the set.  When only unique and scd2_one_current use
 * the runs, a key that comes back just sends them to their exact pass, so
 * the answer may come AHEAD runs late (or at tracker_end): the inserts go
 * through the prefetching queue like the other key sets.
 */
static void
tracker_insert(struct tracker *tr, struct slice k)
{
	if (!tr->late) {
		tr->reappeared = !kset_insert(&tr->seen, k.p, k.n);
		return;
	}
	if (tr->q.n == AHEAD)
		tracker_oldest(tr);
	if (kset_encode(&tr->seen, k.p, k.n, &queue_push(&tr->q)->p))
		queue_fetch(&tr->q, &tr->seen);
	else {
		tr->q.n--;	/* not fixed-width: in order, now */
		while (tr->q.n > 0)
			tracker_oldest(tr);
		if (!kset_insert(&tr->seen, k.p, k.n))
			tr->came_back = 1;
	}
	tr->reappeared = tr->came_back;
}

static void
tracker_end(struct tracker *tr)
{
	if (!tr->live)
		return;
	while (tr->q.n > 0)
		tracker_oldest(tr);
	kset_free(&tr->seen);
	tr->live = 0;
}

/* Columns IDX of FV, one as is, several joined by TAB into *BUF. */
static struct slice
join_fields(const struct fields *fv, const size_t *idx, size_t n,
    char **buf, size_t *cap)
{
	struct slice k;
	size_t i, len = 0;

	if (n == 1)
		return fv->f[idx[0]];
	for (i = 0; i < n; i++)
		len += fv->f[idx[i]].n + 1;
	if (len > *cap) {
		*cap = len * 2;
		*buf = xrealloc(*buf, *cap);
	}
	for (i = 0, len = 0; i < n; i++) {
		if (i > 0)
			(*buf)[len++] = '\t';
		memcpy(*buf + len, fv->f[idx[i]].p, fv->f[idx[i]].n);
		len += fv->f[idx[i]].n;
	}
	k.p = *buf;
	k.n = len;
	return k;
}

/* A < B as bytes, a prefix first (the order of LC_ALL=C sort). */
static int
bytes_less(const char *a, size_t an, const char *b, size_t bn)
{
	/* an empty key's buffer may be NULL: no memcmp with it */
	int c = an > 0 && bn > 0 ? memcmp(a, b, an < bn ? an : bn) : 0;

	return c < 0 || (c == 0 && an < bn);
}

/* A equals B; either may be NULL when empty. */
static int
same_bytes(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

/*
 * The runs so far came in increasing order, so none could come back and
 * their keys were not kept; now one is out of order: put the key of every
 * run before line LINE in the set, from a second read of that part.
 */
static void
tracker_catch_up(struct tracker *tr, uint64_t line)
{
	struct tsv_in t;
	struct fields fv = { 0 };
	struct slice l, k;
	char *paths[1] = { (char *)tr->full }, *buf = NULL, *last = NULL;
	size_t cap = 0, lastcap = 0, lastlen = 0;
	int have = 0;

	tsv_open(&t, paths, 1, TSV_HEADER);
	while (t.line + 1 < line && tsv_next(&t, &l)) {
		if (tsv_split(&fv, l.p, l.n) != tr->nfields)
			continue;	/* not in the runs (its gates stopped) */
		k = join_fields(&fv, tr->colidx, tr->ncols, &buf, &cap);
		if (have && same_bytes(k.p, k.n, last, lastlen))
			continue;
		kset_insert(&tr->seen, k.p, k.n);
		if (k.n > lastcap) {
			lastcap = k.n * 2;
			last = xrealloc(last, lastcap);
		}
		if (k.n > 0)
			memcpy(last, k.p, k.n);
		lastlen = k.n;
		have = 1;
	}
	tsv_close(&t);
	fields_free(&fv);
	free(buf);
	free(last);
	tr->sorted = 0;
}

/*
 * Row LINE: a new run?  Was its key a run's before?  A table in key order
 * (dim_title by tconst) keeps no keys at all.
 */
static void
tracker_row(struct tracker *tr, const struct fields *fv, uint64_t line)
{
	struct slice k = join_fields(fv, tr->colidx, tr->ncols, &tr->kbuf,
	    &tr->kcap);

	tr->newgroup = !tr->have_prev || !same_bytes(k.p, k.n, tr->prev,
	    tr->prevlen);
	tr->reappeared = 0;
	if (!tr->newgroup)
		return;
	if (tr->sorted && tr->have_prev &&
	    !bytes_less(tr->prev, tr->prevlen, k.p, k.n))
		tracker_catch_up(tr, line);
	if (!tr->sorted)
		tracker_insert(tr, k);
	if (k.n > tr->prevcap) {
		tr->prevcap = k.n * 2;
		tr->prev = xrealloc(tr->prev, tr->prevcap);
	}
	if (k.n > 0)		/* an empty key: prev may be NULL */
		memcpy(tr->prev, k.p, k.n);
	tr->prevlen = k.n;
	tr->have_prev = 1;
}

static void
set_error(struct gate *g, char *why)
{
	if (g->evaluated)
		return;
	g->evaluated = 1;
	g->status = ST_ERROR;
	g->message = why;
}

/* Copy ROW for an example, cut at a UTF-8 boundary when too long. */
static char *
example_text(const char *p, size_t n)
{
	static const char ellipsis[] = "\xe2\x80\xa6";
	size_t cut = n;
	char *s;

	if (n > EXAMPLE_BYTES) {
		cut = EXAMPLE_BYTES;
		while (cut > 0 && ((unsigned char)p[cut] & 0xc0) == 0x80)
			cut--;
	}
	s = xrealloc(NULL, cut + sizeof(ellipsis));
	memcpy(s, p, cut);
	if (cut < n)
		memcpy(s + cut, ellipsis, sizeof(ellipsis));
	else
		s[cut] = '\0';
	return s;
}

/*
 * The row this thread is reading, with its line number as the thread
 * counts them: an example of it gets its text at once, and the table is
 * not read again for it (fetch_examples reads for the others).
 */
static _Thread_local struct {
	uint64_t	 line;
	struct slice	 text;		/* p NULL: none */
} cur_row;

/* Keep the (at most MAX_EXAMPLES) smallest line numbers, in order; ROW is
 * the example's text (or NULL), owned by G from now on. */
static void
keep_example(struct gate *g, uint64_t line, char *row)
{
	size_t i;

	if (g->nex == MAX_EXAMPLES && line >= g->ex[MAX_EXAMPLES - 1].line) {
		free(row);
		return;
	}
	if (g->nex < MAX_EXAMPLES)
		g->nex++;
	else
		free(g->ex[MAX_EXAMPLES - 1].row);	/* pushed out */
	for (i = g->nex - 1; i > 0 && g->ex[i - 1].line > line; i--)
		g->ex[i] = g->ex[i - 1];
	g->ex[i].line = line;
	g->ex[i].row = row;
}

static void
add_example(struct gate *g, uint64_t line)
{
	if (g->nex == MAX_EXAMPLES && line >= g->ex[MAX_EXAMPLES - 1].line)
		return;
	keep_example(g, line, cur_row.text.p != NULL && line == cur_row.line ?
	    example_text(cur_row.text.p, cur_row.text.n) : NULL);
}

static void
drop_examples(struct gate *g)
{
	while (g->nex > 0)
		free(g->ex[--g->nex].row);
}

static void
unexpected_row(struct gate *g, uint64_t line)
{
	g->unexpected++;
	add_example(g, line);
}

/* Resolve the gate's columns against the header; 0 on failure. */
static int
resolve_columns(struct gate *g, const struct file *f, const struct header *h)
{
	static const char *const scd2_cols[] = { "is_current", "version",
	    "valid_from", "valid_to" };
	size_t *fixed[] = { &g->i_current, &g->i_version, &g->i_from,
	    &g->i_to };
	size_t i, nfixed;
	long c;

	g->colidx = xrealloc(g->colidx, g->ncols * sizeof(*g->colidx));
	for (i = 0; i < g->ncols; i++) {
		if ((c = find_column(h, g->cols[i])) < 0) {
			set_error(g, missing_column(f, h, g->cols[i]));
			return 0;
		}
		g->colidx[i] = (size_t)c;
	}
	nfixed = g->def->check == SCD2_CONTIGUOUS ? 4 :
	    g->def->check == SCD2_ONE_CURRENT ? 1 : 0;
	for (i = 0; i < nfixed; i++) {
		if ((c = find_column(h, scd2_cols[i])) < 0) {
			set_error(g, missing_column(f, h, scd2_cols[i]));
			return 0;
		}
		*fixed[i] = (size_t)c;
	}
	return 1;
}

/* The gate's key: one field as is, several joined by TAB into g->kbuf. */
static struct slice
key_of(struct gate *g, const struct fields *fv)
{
	return join_fields(fv, g->colidx, g->ncols, &g->kbuf, &g->kcap);
}

static void
copy_value(char *dst, struct slice v)
{
	size_t n = v.n < 31 ? v.n : 31;

	memcpy(dst, v.p, n);
	dst[n] = '\0';
}

/*
 * parse_double for the values of a range check, without strtod for the
 * common "-?D+(.D+)?" of at most 15 digits: the digits as an integer are
 * exact in a double and so is 10^k (k <= 15), so one division rounds once,
 * correctly, to what strtod gives (Clinger's fast path).  ordering and
 * allocation_weight: 12 M values at scale 0.1, strtod ~60 ns each.
 */
static int
number_of(struct slice v, double *x)
{
	static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
	    1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
	const char *p = v.p, *end = v.p + v.n;
	uint64_t m = 0;
	int neg = 0, digits = 0, frac = -1;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	for (; p < end; p++) {
		if (*p >= '0' && *p <= '9') {
			m = m * 10 + (uint64_t)(*p - '0');
			if (++digits > 15)
				break;
			if (frac >= 0)
				frac++;
		} else if (*p == '.' && frac < 0 && digits > 0)
			frac = 0;
		else
			break;
	}
	if (p < end || digits == 0 || frac == 0)
		return parse_double(v.p, v.n, x);
	*x = frac > 0 ? (double)m / pow10[frac] : (double)m;
	if (neg)
		*x = -*x;
	return 1;
}

static void
check_between(struct gate *g, struct slice v, uint64_t line)
{
	double x;

	if (is_null(v))
		return;
	g->checked++;
	if (!number_of(v, &x)) {
		unexpected_row(g, line);
		return;
	}
	if (!g->have_range || x < g->vmin) {
		g->vmin = x;
		copy_value(g->tmin, v);
	}
	if (!g->have_range || x > g->vmax) {
		g->vmax = x;
		copy_value(g->tmax, v);
	}
	g->have_range = 1;
	if ((g->has_lo && x < g->lo) || (g->has_hi && x > g->hi))
		unexpected_row(g, line);
}

/* Grow the per-key arrays of the scd2 checks to hold id ID. */
static void
key_arrays(struct gate *g, uint32_t id)
{
	if (id < g->keycap)
		return;
	g->keycap = g->keycap ? g->keycap * 2 : 1 << 12;
	g->ncur = xrealloc(g->ncur, g->keycap);
	g->keyline = xrealloc(g->keyline, g->keycap * sizeof(*g->keyline));
}

static void
check_one_current(struct gate *g, const struct fields *fv, uint64_t line)
{
	struct slice k = key_of(g, fv);
	uint32_t id;
	int isnew, cur = slice_eq(fv->f[g->i_current], "1");

	id = hmap_insert(&g->seen, k.p, k.n, &isnew);
	key_arrays(g, id);
	if (isnew) {
		g->ncur[id] = 0;
		g->keyline[id] = line;
	}
	if (cur && g->ncur[id] < 2 && ++g->ncur[id] == 2)
		g->keyline[id] = line;	/* the example: the second current */
}

/* The previous row was the last version of its key. */
static void
close_chain(struct gate *g)
{
	if (!g->have_prev)
		return;
	if ((strcmp(g->prev_to, END_OF_TIME) != 0 || !g->prev_current) &&
	    !g->prev_bad)
		unexpected_row(g, g->prev_line);
}

/* The run's verdict: exactly one current row. */
static void
close_run(struct gate *g)
{
	if (!g->gopen)
		return;
	g->checked++;
	if (g->gcur != 1)
		unexpected_row(g, g->gline);
	g->gopen = 0;
}

/*
 * scd2_one_current on a table grouped by the key (scd2-merge writes the
 * versions of a key together): one run at a time, nothing kept per key.
 * A key that comes back after another leaves it to a second pass.
 */
static void
check_one_current_run(struct gate *g, const struct tracker *tr,
    const struct fields *fv, uint64_t line)
{
	if (tr->reappeared)
		g->fallback = 1;
	if (g->fallback)
		return;
	if (tr->newgroup) {
		close_run(g);
		g->gopen = 1;
		g->gcur = 0;
		g->gline = line;
	}
	if (slice_eq(fv->f[g->i_current], "1") && g->gcur < 2 &&
	    ++g->gcur == 2)
		g->gline = line;	/* the example: the second current */
}

static void
check_contiguous(struct gate *g, const struct tracker *tr,
    const struct fields *fv, uint64_t line)
{
	struct slice from = fv->f[g->i_from], to = fv->f[g->i_to];
	int64_t version;
	int bad = 0, same = !tr->newgroup;

	if (!parse_i64(fv->f[g->i_version].p, fv->f[g->i_version].n,
	    &version))
		version = -1;
	if (same) {
		if (version != g->prev_version + 1 || !slice_eq(from,
		    g->prev_to))
			bad = 1;
	} else {
		close_chain(g);
		if (tr->reappeared || version != 1)
			bad = 1;	/* versions not adjacent, or no 1 */
	}
	/* Dates are YYYY-MM-DD: byte order is time order. */
	if (from.n != 10 || to.n != 10 || memcmp(from.p, to.p, 10) >= 0)
		bad = 1;
	if (bad)
		unexpected_row(g, line);
	g->have_prev = 1;
	g->prev_bad = bad;
	g->prev_line = line;
	g->prev_version = version;
	g->prev_current = slice_eq(fv->f[g->i_current], "1");
	copy_value(g->prev_to, to);
}

/*
 * The whole value must match.  REG_STARTEND bounds the match by length (a
 * NUL inside a value is data), but regexec's callers -- and ASan's
 * interceptor -- still read up to a NUL, so the value is copied into a
 * reused, terminated buffer first.
 */
static int
regexec_slice(struct gate *g, struct slice v)
{
	regmatch_t m[1];

	if (v.n + 1 > g->recap) {
		g->recap = v.n + 1 > 256 ? v.n + 1 : 256;
		if ((g->rebuf = realloc(g->rebuf, g->recap)) == NULL)
			die_sys("out of memory");
	}
	memcpy(g->rebuf, v.p, v.n);
	g->rebuf[v.n] = '\0';
	v.p = g->rebuf;
	m[0].rm_so = 0;
	m[0].rm_eo = (regoff_t)v.n;
	return regexec(g->proto != NULL ? &g->proto->re : &g->re, v.p, 1, m,
	    REG_STARTEND) == 0;
}

/* A new run of the first column: forget the trailing keys of the last. */
static void
run_reset(struct gate *g)
{
	g->glen = g->ngoff = 0;
	if (g->gset_on)
		kset_free(&g->gset);
	g->gset_on = 0;
}

/* 1 when K is new in the run; short runs compare, long ones hash. */
static int
run_insert(struct gate *g, struct slice k)
{
	size_t i, len;

	if (g->gset_on)
		return kset_insert(&g->gset, k.p, k.n);
	for (i = 0; i < g->ngoff; i++) {
		len = (i + 1 < g->ngoff ? g->goff[i + 1] : g->glen) -
		    g->goff[i];
		if (len == k.n && (len == 0 ||
		    memcmp(g->gbuf + g->goff[i], k.p, k.n) == 0))
			return 0;
	}
	if (g->ngoff == GROUP_LINEAR) {
		kset_init(&g->gset, 4 * GROUP_LINEAR);
		for (i = 0; i < g->ngoff; i++)
			kset_insert(&g->gset, g->gbuf + g->goff[i],
			    (i + 1 < g->ngoff ? g->goff[i + 1] : g->glen) -
			    g->goff[i]);
		g->gset_on = 1;
		return kset_insert(&g->gset, k.p, k.n);
	}
	if (g->glen + k.n > g->gcap) {
		g->gcap = (g->glen + k.n) * 2 + 64;
		g->gbuf = xrealloc(g->gbuf, g->gcap);
	}
	if (g->ngoff == g->goffcap) {
		g->goffcap = GROUP_LINEAR;
		g->goff = xrealloc(g->goff, g->goffcap * sizeof(*g->goff));
	}
	g->goff[g->ngoff++] = g->glen;
	if (k.n > 0)
		memcpy(g->gbuf + g->glen, k.p, k.n);
	g->glen += k.n;
	return 1;
}

/*
 * unique over a compound key on a table grouped by its first column (as
 * fact_cast_crew is by title_key): a repeat can only be in the same run,
 * so only the run's trailing keys are kept, plus (in the tracker) the first
 * column of every run to notice a table that is not grouped after all; then
 * a second pass with every key decides (unique_exact).
 */
static void
check_unique_run(struct gate *g, const struct tracker *tr,
    const struct fields *fv, uint64_t line)
{
	if (tr->reappeared)
		g->fallback = 1;
	if (g->fallback)
		return;
	if (tr->newgroup)
		run_reset(g);
	g->checked++;
	if (!run_insert(g, join_fields(fv, g->colidx + 1, g->ncols - 1,
	    &g->kbuf, &g->kcap)))
		unexpected_row(g, line);
}

/* The oldest fk look-up in flight: its answer. */
static void
fk_oldest(struct run *r, struct gate *g)
{
	struct pending *e = queue_pop(&g->q);

	if (!e->same)
		g->fk_last = kset_finish(&r->fks[g->fk].keys, &e->p);
	if (!g->fk_last)
		unexpected_row(g, e->line);
}

static void
fk_drain(struct run *r, struct gate *g)
{
	while (g->q.n > 0)
		fk_oldest(r, g);
}

/*
 * Look V up AHEAD rows late (prefetched on the way).  A value equal to the
 * row before's (a grouped fact table's title_key) has that row's answer.
 */
static void
check_fk(struct run *r, struct gate *g, struct slice v, uint64_t line)
{
	struct pending *e;

	if (g->q.n == AHEAD)
		fk_oldest(r, g);
	e = queue_push(&g->q);
	e->line = line;
	e->same = g->have_prev && same_bytes(v.p, v.n, g->prev_key,
	    g->prev_keylen);
	if (e->same) {
		e->p.state = KP_NO;	/* nothing to prefetch */
		queue_fetch(&g->q, &r->fks[g->fk].keys);
		return;
	}
	kset_prepare(&r->fks[g->fk].keys, v.p, v.n, &e->p);
	queue_fetch(&g->q, &r->fks[g->fk].keys);
	if (v.n > g->prev_keycap) {
		g->prev_keycap = v.n * 2;
		g->prev_key = xrealloc(g->prev_key, g->prev_keycap);
	}
	if (v.n > 0)
		memcpy(g->prev_key, v.p, v.n);
	g->prev_keylen = v.n;
	g->have_prev = 1;
}

/*
 * fk into the table being read (parent_tconst into dim_title's tconst):
 * its set fills in this pass, on this thread, so a value not in it yet may
 * still come; it waits in the gate's list for self_fk_end.  (A pass of its
 * own before, as for other targets, read the whole table once more.)
 */
static void
check_fk_self(struct run *r, struct gate *g, struct slice v, uint64_t line)
{
	uint64_t n = v.n;

	if (kset_contains(&r->fks[g->fk].keys, v.p, v.n))
		return;
	if (g->dlen + 16 + v.n > g->dcap) {
		g->dcap = (g->dlen + 16 + v.n) * 2;
		g->dbuf = xrealloc(g->dbuf, g->dcap);
	}
	memcpy(g->dbuf + g->dlen, &line, 8);
	memcpy(g->dbuf + g->dlen + 8, &n, 8);
	memcpy(g->dbuf + g->dlen + 16, v.p, v.n);
	g->dlen += 16 + v.n;
}

/*
 * The pass is over and the set whole: the values that were not in it yet
 * are orphans if they are still not, BURST at a time (prefetched in a row).
 * A ragged row made the set an error: the gate says so as a pass of its
 * own would have.
 */
static void
self_fk_end(struct run *r, struct gate *g)
{
	const struct keyset *ks = &r->fks[g->fk].keys;
	struct kprobe p[BURST];
	uint64_t line[BURST], n;
	size_t off = 0, i, m;

	if (r->fks[g->fk].error != NULL) {
		free(g->message);
		g->evaluated = 0;
		set_error(g, xasprintf("fk target %s", r->fks[g->fk].error));
	}
	while (!g->evaluated && off < g->dlen) {
		for (m = 0; m < BURST && off < g->dlen; m++) {
			memcpy(&line[m], g->dbuf + off, 8);
			memcpy(&n, g->dbuf + off + 8, 8);
			kset_prepare(ks, g->dbuf + off + 16, n, &p[m]);
			off += 16 + n;
		}
		for (i = 0; i < m; i++)
			kset_prefetch(ks, &p[i]);
		for (i = 0; i < m; i++)
			if (!kset_finish(ks, &p[i]))
				unexpected_row(g, line[i]);
	}
	free(g->dbuf);
	g->dbuf = NULL;
	g->dlen = g->dcap = 0;
}

static void
check_row(struct run *r, const struct tracker *trk, struct gate *g,
    const struct fields *fv, uint64_t line)
{
	struct slice v = fv->f[g->colidx[0]];
	const struct tracker *tr = g->trk >= 0 ? &trk[g->trk] : NULL;
	uint32_t id;
	size_t i;
	int isnew;

	switch (g->def->check) {
	case NOT_NULL:
		g->checked++;
		for (i = 0; i < g->ncols; i++)
			if (is_null(fv->f[g->colidx[i]])) {
				unexpected_row(g, line);
				break;
			}
		break;
	case UNIQUE:
		if (tr != NULL) {
			check_unique_run(g, tr, fv, line);
			break;
		}
		g->checked++;
		insert_key(&g->kseen, &g->q, v, line, g);
		break;
	case BETWEEN:
		check_between(g, v, line);
		break;
	case IN_SET:
		if (is_null(v))
			break;
		g->checked++;
		if (in_set(g, v))
			break;
		g->unexpected++;
		/* One example per value not in the set: drift, not noise. */
		id = hmap_insert(&g->seen, v.p, v.n, &isnew);
		if (isnew) {
			add_example(g, line);
			key_arrays(g, id);	/* its line, for merge_drift */
			g->keyline[id] = line;
		}
		break;
	case MATCHES:
		if (is_null(v))
			break;
		g->checked++;
		if (!(g->pat != NULL ? idpat_match(g->pat, v.p, v.n) :
		    regexec_slice(g, v)))
			unexpected_row(g, line);
		break;
	case FK:
		if (is_null(v))
			break;
		g->checked++;
		if (g->self)
			check_fk_self(r, g, v, line);
		else
			check_fk(r, g, v, line);
		break;
	case SCD2_ONE_CURRENT:
		check_one_current_run(g, tr, fv, line);
		break;
	case SCD2_CONTIGUOUS:
		g->checked++;
		check_contiguous(g, tr, fv, line);
		break;
	default:
		break;
	}
}

/*
 * The fk sets on table FI that tables still to be read need, and that are
 * not there yet: built in this pass (no pass of their own).  A unique gate
 * on the same column already holds every value: its set is taken over at
 * the end (end_of_pass) instead of a second copy.
 */
static void
start_builds(struct run *r, int fi, struct gate **gs, size_t ngs,
    const struct header *h, const char *open_error)
{
	struct fkset *k;
	size_t i, j;
	long c;
	int self;

	for (i = 0; i < r->nfks; i++) {
		k = &r->fks[i];
		self = k->file == fi && fk_needed_by(r, i, fi);
		if (k->file != fi || k->loaded || k->error != NULL ||
		    (!self && !fk_needed_later(r, i, fi)))
			continue;
		if (open_error != NULL) {
			k->error = xstrdup(open_error);
			continue;
		}
		k->loaded = 1;
		if ((c = find_column(h, k->column)) < 0) {
			k->error = missing_column(&r->files[fi], h, k->column);
			continue;
		}
		kset_init(&k->keys, 1 << 12);
		/* the pass's own fk gates look in it as it fills */
		for (j = 0; j < ngs && !self; j++)
			if (gs[j]->def->check == UNIQUE && gs[j]->ncols == 1 &&
			    gs[j]->trk < 0 && !gs[j]->evaluated &&
			    gs[j]->feeds == NULL && gs[j]->colidx[0] == (size_t)c)
				break;
		if (!self && j < ngs) {
			gs[j]->feeds = k;
			continue;
		}
		k->building = 1;
		k->lane = 0;
		k->col = (size_t)c;
		k->q = xrealloc(k->q, sizeof(*k->q));
		queue_reset(k->q);
	}
}

/* Row LINE (FV) of the pass: into the fk sets LANE builds. */
static void
build_row(struct run *r, int lane, const struct fields *fv,
    const struct header *h, const struct file *f, uint64_t line)
{
	struct fkset *k;
	size_t i;

	for (i = 0; i < r->nfks; i++) {
		k = &r->fks[i];
		if (!k->building || k->error != NULL || k->lane != lane)
			continue;
		if (fv->n != h->names.n) {	/* as load_fksets says it */
			k->error = xasprintf("%s:%llu: %zu fields (header has "
			    "%zu)", f->path, (unsigned long long)line, fv->n,
			    h->names.n);
			continue;
		}
		insert_key(&k->keys, k->q, fv->f[k->col], 0, NULL);
	}
}

static void
end_builds(struct run *r)
{
	struct fkset *k;
	size_t i;

	for (i = 0; i < r->nfks; i++) {
		k = &r->fks[i];
		if (!k->building)
			continue;
		if (k->error == NULL)
			insert_drain(&k->keys, k->q, NULL);
		k->building = 0;
	}
}

static int
gate_on_file(const struct gate *g, int fi)
{
	return g->fileidx == fi && g->def->per_row && !g->evaluated;
}

/* Reading a table on several threads ------------------------------------ */

/*
 * A pass over a big table runs on several threads, its lanes, in one of two
 * ways.  By rows: the table is cut into parts where a run of every
 * tracker's key ends; the lanes take the parts in turn, each part read
 * through its own copies of the gates (a lane's trackers go on across its
 * parts), and merge_parts adds the parts up to what one pass would have
 * found.  By gates: each lane reads the whole table for its share of the
 * gates, trackers and fk builds, so each of those still sees every row in
 * order on one thread.  Tables and gates that fit neither way, and small
 * tables, get one lane: the caller's reader, as before.
 */
enum pass_mode { PASS_ONE, PASS_ROWS, PASS_GATES };

/*
 * By rows: a part of the table, cut where a run of every tracker's key
 * ends, and what its rows gave (line numbers counted from its start).
 */
struct part {
	uint64_t	 beg, end;
	struct gate	*copies;	/* its own copies of the pass's gates */
	struct gate	**gs;
	uint64_t	 rows;
	int		 ragged;	/* its first ragged row */
	uint64_t	 ragged_line;
	size_t		 ragged_n;
};

/*
 * The parts of a pass by rows.  There are more parts than lanes, and a
 * lane takes the next one when it is done with its last: a lane slowed
 * down (the sha256 thread, another process on the machine) takes fewer.
 */
struct parts {
	struct part	*p;
	size_t		 n, next;
	pthread_mutex_t	 mu;
};

struct lane {
	struct run	*r;
	int		 fi, idx;
	enum pass_mode	 mode;
	const struct header *h;
	struct gate	**gs;		/* the gates it evaluates (not by rows) */
	size_t		 ngs;
	struct tracker	*trk;		/* r->trk, or (by rows) its own copies */
	struct tsv_in	*t;		/* PASS_ONE: the pass's reader */
	int		 fd;		/* else: the table, read with pread */
	uint64_t	 beg, end;	/* ... these bytes of it (not by rows) */
	struct parts	*parts;		/* by rows */
	uint64_t	 rows;
	uint64_t	 share, done;	/* bytes it will read, and has read */
	int		 reserved;	/* its key sets sized (reserve_sets) */
	pthread_t	 tid;
	int		 started;
};

static char *
ragged_message(const struct file *f, const struct header *h, uint64_t line,
    size_t n)
{
	return xasprintf("%s:%llu: %zu fields (header has %zu)", f->path,
	    (unsigned long long)line, n, h->names.n);
}

/*
 * A ragged row stops gate G.  A part by rows does not know its line
 * numbers yet: its first ragged row is noted, merge_parts says it.
 */
static void
ragged_row(struct lane *ln, struct part *pt, struct gate *g, uint64_t line,
    size_t n)
{
	if (pt == NULL) {
		set_error(g, ragged_message(&ln->r->files[ln->fi], ln->h, line,
		    n));
		return;
	}
	if (!pt->ragged) {
		pt->ragged = 1;
		pt->ragged_line = line;
		pt->ragged_n = n;
	}
	g->evaluated = 1;
}

/*
 * An eighth of what the lane will read is read: size the key sets it
 * fills (gates GS, its fk builds and trackers) for what the rest will
 * bring, so that they do not rehash and hold two tables each on the way
 * (16 M person keys: 4 rehashes, 768 MB at the last).
 */
static void
reserve_sets(struct lane *ln, struct gate **gs, size_t ngs, uint64_t read)
{
	struct run *r = ln->r;
	struct tracker *tr;
	struct fkset *k;
	size_t i;

	ln->reserved = 1;
	for (i = 0; i < ngs; i++)
		if (gs[i]->def->check == UNIQUE && gs[i]->trk < 0 &&
		    !gs[i]->evaluated)
			kset_reserve(&gs[i]->kseen, expect_keys(
			    kset_count(&gs[i]->kseen), read, ln->share));
	for (i = 0; i < r->nfks; i++) {
		k = &r->fks[i];
		if (k->building && k->lane == ln->idx && k->error == NULL)
			kset_reserve(&k->keys, expect_keys(kset_count(&k->keys),
			    read, ln->share));
	}
	for (i = 0; i < r->ntrk; i++) {
		tr = &ln->trk[i];
		if (tr->live && tr->lane == ln->idx && !tr->sorted)
			kset_reserve(&tr->seen, expect_keys(kset_count(
			    &tr->seen), read, ln->share));
	}
}

/*
 * Rows [BEG, END) of the table (or the pass's reader) through the lane's
 * fk builds and trackers and the gates GS; line numbers from BASE on.  PT:
 * the part by rows they are (its rows, its ragged row).
 */
static void
read_rows(struct lane *ln, uint64_t beg, uint64_t end, struct gate **gs,
    size_t ngs, struct part *pt, uint64_t base)
{
	struct run *r = ln->r;
	struct file *f = &r->files[ln->fi];
	struct rangeread rr;
	struct fields fv = { 0 };
	struct slice line;
	struct gate *g;
	uint64_t lineno, *rows = pt != NULL ? &pt->rows : &ln->rows;
	size_t i, nf = ln->h->names.n;

	if (ln->t == NULL)
		rr_open(&rr, ln->fd, f->full, beg, end);
	for (;;) {
		if (ln->t != NULL) {
			if (!tsv_next(ln->t, &line))
				break;
			lineno = ln->t->line;
		} else {
			if (!ln->reserved && (ln->done + rr_tell(&rr) - beg) *
			    8 >= ln->share)
				reserve_sets(ln, gs, ngs, ln->done +
				    rr_tell(&rr) - beg);
			if (!rr_next(&rr, &line))
				break;
			lineno = base + rr.line;
		}
		(*rows)++;
		cur_row.line = lineno;
		cur_row.text = line;
		tsv_split(&fv, line.p, line.n);
		build_row(r, ln->idx, &fv, ln->h, f, lineno);
		if (fv.n == nf)
			for (i = 0; i < r->ntrk; i++)
				if (ln->trk[i].live && ln->trk[i].lane == ln->idx)
					tracker_row(&ln->trk[i], &fv, lineno);
		for (i = 0; i < ngs; i++) {
			g = gs[i];
			if (g->evaluated)
				continue;
			if (fv.n != nf)
				ragged_row(ln, pt, g, lineno, fv.n);
			else
				check_row(r, ln->trk, g, &fv, lineno);
		}
	}
	cur_row.text.p = NULL;
	ln->done += end - beg;
	if (ln->t == NULL)
		rr_close(&rr);
	fields_free(&fv);
}

/* By rows: the next part no lane has taken, or NULL. */
static struct part *
take_part(struct parts *ps)
{
	struct part *pt = NULL;

	pthread_mutex_lock(&ps->mu);
	if (ps->next < ps->n)
		pt = &ps->p[ps->next++];
	pthread_mutex_unlock(&ps->mu);
	return pt;
}

/*
 * The lane's rows: by rows, part after part, each on its own copies of the
 * gates (closed at its end), the lane's trackers going on across them.
 */
static void
lane_rows(struct lane *ln)
{
	struct part *pt;
	size_t i;

	if (ln->mode != PASS_ROWS) {
		read_rows(ln, ln->beg, ln->end, ln->gs, ln->ngs, NULL, 1);
		return;
	}
	while ((pt = take_part(ln->parts)) != NULL) {
		for (i = 0; i < ln->r->ntrk; i++)
			ln->trk[i].have_prev = 0;	/* a part starts a run */
		read_rows(ln, pt->beg, pt->end, pt->gs, ln->ngs, pt, 0);
		for (i = 0; i < ln->ngs; i++)
			end_of_pass(ln->r, ln->trk, pt->gs[i]);
	}
	for (i = 0; i < ln->r->ntrk; i++)
		if (ln->trk[i].live)
			while (ln->trk[i].q.n > 0)
				tracker_oldest(&ln->trk[i]);
}

static void *
lane_main(void *arg)
{
	lane_rows(arg);
	return NULL;
}

/*
 * Lanes 1.. on threads of their own, lane 0 on this one.  A lane whose
 * thread cannot start runs here after lane 0: slower, the same result.
 */
static void
run_lanes(struct lane *lanes, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		lanes[i].started = pthread_create(&lanes[i].tid, NULL,
		    lane_main, &lanes[i]) == 0;
	lane_rows(&lanes[0]);
	for (i = 1; i < n; i++) {
		if (lanes[i].started)
			pthread_join(lanes[i].tid, NULL);
		else
			lane_rows(&lanes[i]);
	}
}

/*
 * A descriptor of F when it may be read in parts: a regular file of at
 * least MIN bytes that is not gzip (a gzip stream is read from its start
 * only), with a row after its header; *DATA is where that row starts.
 */
static int
open_plain(const struct file *f, uint64_t min, uint64_t *data,
    uint64_t *size)
{
	struct stat sb;
	unsigned char buf[1 << 16], *nl;
	uint64_t off = 0;
	ssize_t n;
	int fd;

	if ((fd = open(f->full, O_RDONLY)) == -1)
		return -1;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    (uint64_t)sb.st_size < min || sb.st_size < 2)
		goto no;
	*size = (uint64_t)sb.st_size;
	for (;;) {
		do
			n = pread(fd, buf, sizeof(buf), (off_t)off);
		while (n == -1 && errno == EINTR);
		if (n <= 0 || (off == 0 && n >= 2 && buf[0] == 0x1f &&
		    buf[1] == 0x8b))
			goto no;
		if ((nl = memchr(buf, '\n', (size_t)n)) != NULL)
			break;
		off += (uint64_t)n;
	}
	*data = off + (uint64_t)(nl - buf) + 1;
	if (*data < *size)
		return fd;
no:
	close(fd);
	return -1;
}

/*
 * Can every gate of the pass be counted on parts of the table and the
 * parts added up?  Not a unique key kept whole (its repeats span the
 * parts), an fk set built (in order, by one thread) or scd2_contiguous
 * (it follows each key's chain row by row).
 */
static int
rows_split_ok(const struct run *r, int fi, struct gate **gs, size_t ngs)
{
	size_t i;

	for (i = 0; i < r->nfks; i++)
		if (r->fks[i].building && r->fks[i].file == fi)
			return 0;
	for (i = 0; i < r->ntrk; i++)
		if (r->trk[i].live && r->trk[i].file == fi && !r->trk[i].late)
			return 0;
	for (i = 0; i < ngs; i++) {
		if (gs[i]->evaluated)
			continue;
		switch (gs[i]->def->check) {
		case NOT_NULL:
		case BETWEEN:
		case IN_SET:
		case MATCHES:
		case FK:
		case SCD2_ONE_CURRENT:
			break;
		case UNIQUE:
			if (gs[i]->trk < 0 || gs[i]->feeds != NULL)
				return 0;
			break;
		default:
			return 0;
		}
	}
	return 1;
}

/* Rows A and B belong to different runs of every tracker of table FI. */
static int
runs_differ(const struct run *r, int fi, size_t nfields,
    const struct fields *a, const struct fields *b, char **buf, size_t *cap)
{
	const struct tracker *tr;
	struct slice ka, kb;
	size_t i;

	if (a->n != nfields || b->n != nfields)
		return 0;	/* not in any run */
	for (i = 0; i < r->ntrk; i++) {
		tr = &r->trk[i];
		if (!tr->live || tr->file != fi)
			continue;
		ka = join_fields(a, tr->colidx, tr->ncols, &buf[0], &cap[0]);
		kb = join_fields(b, tr->colidx, tr->ncols, &buf[1], &cap[1]);
		if (ka.n == kb.n && memcmp(ka.p, kb.p, ka.n) == 0)
			return 0;
	}
	return 1;
}

/*
 * Where a part of the table may start, at or after AT: the start of a line
 * that begins a run for every tracker of table FI, so that no run is cut in
 * two (a part's copy of a gate would not see the other part's rows of the
 * run).  0 when there is none before END within SPLIT_SEARCH bytes.
 */
static uint64_t
run_boundary(const struct run *r, int fi, size_t nfields, int fd,
    uint64_t at, uint64_t end)
{
	struct rangeread rr;
	struct fields a = { 0 }, b = { 0 };
	struct slice line;
	char *prev = NULL, *kbuf[2] = { NULL, NULL };
	size_t prevcap = 0, kcap[2] = { 0, 0 };
	uint64_t off, found = 0;

	rr_open(&rr, fd, r->files[fi].full, at - 1, end);
	/* the rest of the line holding byte AT - 1; then whole lines */
	if (!rr_next(&rr, &line) || !rr_next(&rr, &line))
		goto done;
	for (;;) {
		if (line.n + 1 > prevcap) {
			prevcap = line.n * 2 + 64;
			prev = xrealloc(prev, prevcap);
		}
		memcpy(prev, line.p, line.n);
		tsv_split(&a, prev, line.n);
		off = rr_tell(&rr);
		if (off - at > SPLIT_SEARCH || !rr_next(&rr, &line))
			break;
		tsv_split(&b, line.p, line.n);
		if (runs_differ(r, fi, nfields, &a, &b, kbuf, kcap)) {
			found = off;
			break;
		}
	}
done:
	rr_close(&rr);
	fields_free(&a);
	fields_free(&b);
	free(prev);
	free(kbuf[0]);
	free(kbuf[1]);
	return found;
}

/*
 * By rows: a part's own gate C, a copy of G.  What the checks only read is
 * shared; what they change starts empty.
 */
static void
lane_gate_copy(struct gate *c, const struct gate *g)
{
	memset(c, 0, sizeof(*c));
	c->proto = g;
	c->id = g->id;
	c->def = g->def;
	c->fileidx = g->fileidx;
	c->cols = g->cols;
	c->ncols = g->ncols;
	c->colidx = g->colidx;
	c->columns = g->columns;
	c->arg = g->arg;
	c->evaluated = g->evaluated;
	c->has_lo = g->has_lo;
	c->has_hi = g->has_hi;
	c->lo = g->lo;
	c->hi = g->hi;
	c->set = g->set;		/* in_set: looked up only */
	c->bylen = g->bylen;
	memcpy(c->lenstart, g->lenstart, sizeof(c->lenstart));
	c->pat = g->pat;		/* regexec takes proto->re */
	c->fk = g->fk;
	c->trk = g->trk;
	c->i_current = g->i_current;
	if (c->def->check == IN_SET && !c->evaluated)
		hmap_init(&c->seen, 1 << 12);
}

static void
lane_gate_free(struct gate *c)
{
	drop_examples(c);
	free(c->rebuf);
	free(c->kbuf);
	free(c->prev_key);
	free(c->gbuf);
	free(c->goff);
	free(c->ncur);
	free(c->keyline);
	if (c->gset_on)
		kset_free(&c->gset);
	if (c->seen.slots != NULL)
		hmap_free(&c->seen);
}

/*
 * By rows: lane LANE's copy of tracker T.  It keeps the key of every run
 * from the first (no catching up on a part): merge_trackers looks for a key
 * in two parts.
 */
static void
lane_tracker_copy(struct tracker *c, const struct tracker *t, int lane)
{
	memset(c, 0, sizeof(*c));
	c->file = t->file;
	c->spec = t->spec;
	c->cols = t->cols;
	c->ncols = t->ncols;
	c->colidx = t->colidx;
	c->live = t->live;
	c->late = t->late;
	c->full = t->full;
	c->nfields = t->nfields;
	c->lane = lane;
	c->sorted = 0;
	if (c->live)
		kset_init(&c->seen, 1 << 12);
}

static void
lane_tracker_free(struct tracker *c)
{
	kset_free(&c->seen);
	free(c->prev);
	free(c->kbuf);
}

/*
 * By rows: cut the table into parts of about equal bytes at run boundaries
 * (PARTS_PER_LANE a lane, none under split_min / 32 bytes), each with its
 * own copies of the gates, and give the lanes their trackers; the number
 * of lanes (1: the table is not cut).
 */
static size_t
split_rows(struct run *r, int fi, struct gate **gs, size_t ngs,
    struct lane *lanes, int fd, uint64_t data, uint64_t size)
{
	struct parts *ps;
	struct part *pt;
	uint64_t *cut, at, c, want = r->nlanes * PARTS_PER_LANE;
	size_t n = 1, k, i, nl;

	if (r->split_min >= 32 && (size - data) / (r->split_min / 32) < want)
		want = (size - data) / (r->split_min / 32);
	if (want < r->nlanes)
		want = r->nlanes;
	cut = xrealloc(NULL, (want + 1) * sizeof(*cut));
	cut[0] = data;
	for (k = 1; k < want; k++) {
		at = data + (size - data) * k / want;
		if (at <= cut[n - 1])
			at = cut[n - 1] + 1;
		if ((c = run_boundary(r, fi, lanes[0].h->names.n, fd, at,
		    size)) != 0)
			cut[n++] = c;
	}
	if (n < 2) {
		free(cut);
		return 1;
	}
	cut[n] = size;
	ps = xrealloc(NULL, sizeof(*ps));
	ps->p = xrealloc(NULL, n * sizeof(*ps->p));
	ps->n = n;
	ps->next = 0;
	pthread_mutex_init(&ps->mu, NULL);
	for (k = 0; k < n; k++) {
		pt = &ps->p[k];
		memset(pt, 0, sizeof(*pt));
		pt->beg = cut[k];
		pt->end = cut[k + 1];
		pt->copies = xrealloc(NULL, (ngs + 1) * sizeof(*pt->copies));
		pt->gs = xrealloc(NULL, (ngs + 1) * sizeof(*pt->gs));
		for (i = 0; i < ngs; i++) {
			lane_gate_copy(&pt->copies[i], gs[i]);
			pt->gs[i] = &pt->copies[i];
		}
	}
	free(cut);
	nl = n < r->nlanes ? n : r->nlanes;
	for (k = 0; k < nl; k++) {
		lanes[k].mode = PASS_ROWS;
		lanes[k].fd = fd;
		lanes[k].parts = ps;
		lanes[k].ngs = ngs;
		lanes[k].share = (size - data) / nl;
		lanes[k].trk = xrealloc(NULL, (r->ntrk + 1) *
		    sizeof(*lanes[k].trk));
		for (i = 0; i < r->ntrk; i++)
			lane_tracker_copy(&lanes[k].trk[i], &r->trk[i], (int)k);
	}
	return nl;
}

/* A share of a pass by gates: a gate, a tracker with its gates, or an fk build. */
struct unit {
	int		 w;
	enum { U_GATE, U_TRACKER, U_BUILD } kind;
	size_t		 i;
};

static int
cmp_unit(const void *a, const void *b)
{
	const struct unit *x = a, *y = b;

	if (x->w != y->w)
		return y->w - x->w;
	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	return (x->i > y->i) - (x->i < y->i);
}

/* About what a gate costs a row: the look-ups in big key sets dominate. */
static int
gate_weight(const struct run *r, const struct gate *g)
{
	switch (g->def->check) {
	case UNIQUE:
		return g->trk >= 0 ? 1 : 8;
	case FK:		/* into its own table: a look-up that waits */
		return g->self ? 10 :
		    kset_count(&r->fks[g->fk].keys) > (1 << 16) ? 6 : 1;
	default:
		return 1;
	}
}

/* The units of a pass over table FI into U; how many. */
static size_t
pass_units(const struct run *r, int fi, struct gate **gs, size_t ngs,
    struct unit *u)
{
	size_t i, j, n = 0;
	int w;

	for (i = 0; i < ngs; i++)
		if (!gs[i]->evaluated && gs[i]->trk < 0 && !gs[i]->self)
			u[n++] = (struct unit){ gate_weight(r, gs[i]), U_GATE,
			    i };
	for (i = 0; i < r->ntrk; i++) {
		if (!r->trk[i].live || r->trk[i].file != fi)
			continue;
		for (j = 0, w = 3; j < ngs; j++)
			if (!gs[j]->evaluated && gs[j]->trk == (int)i)
				w += gate_weight(r, gs[j]);
		u[n++] = (struct unit){ w, U_TRACKER, i };
	}
	/* an fk gate into its own table looks in the set as it fills */
	for (i = 0; i < r->nfks; i++) {
		if (!r->fks[i].building || r->fks[i].file != fi ||
		    r->fks[i].error != NULL)
			continue;
		for (j = 0, w = 8; j < ngs; j++)
			if (!gs[j]->evaluated && gs[j]->self &&
			    gs[j]->fk == (int)i)
				w += gate_weight(r, gs[j]);
		u[n++] = (struct unit){ w, U_BUILD, i };
	}
	return n;
}

/*
 * By gates: share the units of the pass out, heaviest first to the least
 * loaded lane; every lane reads the whole table.  The number of lanes.
 */
static size_t
split_gates(struct run *r, int fi, struct gate **gs, size_t ngs,
    struct lane *lanes, int fd, uint64_t data, uint64_t size)
{
	struct unit *u = xrealloc(NULL, (ngs + r->ntrk + r->nfks + 1) *
	    sizeof(*u));
	int load[MAX_LANES] = { 0 }, best;
	size_t nu = pass_units(r, fi, gs, ngs, u), n, i, k;

	n = nu < r->nlanes ? nu : r->nlanes;
	if (n < 2) {
		free(u);
		return 1;
	}
	qsort(u, nu, sizeof(*u), cmp_unit);
	for (i = 0; i < nu; i++) {
		for (k = 1, best = 0; k < n; k++)
			if (load[k] < load[best])
				best = (int)k;
		load[best] += u[i].w;
		if (u[i].kind == U_GATE)
			gs[u[i].i]->lane = best;
		else if (u[i].kind == U_TRACKER)
			r->trk[u[i].i].lane = best;
		else
			r->fks[u[i].i].lane = best;
	}
	free(u);
	for (k = 0; k < n; k++) {
		lanes[k].mode = PASS_GATES;
		lanes[k].fd = fd;
		lanes[k].beg = data;
		lanes[k].end = lanes[k].share = size;
		lanes[k].share -= data;
		lanes[k].ngs = 0;
	}
	for (i = 0; i < ngs; i++) {
		if (gs[i]->evaluated)
			continue;
		k = (size_t)(gs[i]->trk >= 0 ? r->trk[gs[i]->trk].lane :
		    gs[i]->self ? r->fks[gs[i]->fk].lane : gs[i]->lane);
		lanes[k].gs[lanes[k].ngs++] = gs[i];
	}
	return n;
}

/*
 * How the rows of table FI go through the gates GS: LANES set up, and how
 * many.  One (the caller's reader) unless there are threads to spare and
 * the table is plain and big: then by rows when every gate can be counted
 * in parts, else by gates when there are at least two shares.
 */
static size_t
plan_pass(struct run *r, int fi, struct gate **gs, size_t ngs,
    const struct header *h, struct lane *lanes)
{
	uint64_t data, size;
	size_t i, n;
	int fd = -1;

	memset(lanes, 0, MAX_LANES * sizeof(*lanes));
	for (i = 0; i < MAX_LANES; i++) {
		lanes[i].r = r;
		lanes[i].fi = fi;
		lanes[i].idx = (int)i;
		lanes[i].h = h;
		lanes[i].trk = r->trk;
		lanes[i].fd = -1;
		lanes[i].gs = xrealloc(NULL, (ngs + 1) * sizeof(*gs));
	}
	if (ngs > 0)
		memcpy(lanes[0].gs, gs, ngs * sizeof(*gs));
	lanes[0].ngs = ngs;
	if ((fd = open_plain(&r->files[fi], r->split_min, &data, &size)) < 0)
		return 1;
	if (r->nlanes > 1 && rows_split_ok(r, fi, gs, ngs) &&
	    (n = split_rows(r, fi, gs, ngs, lanes, fd, data, size)) > 1)
		return n;
	if (r->nlanes > 1 &&
	    (n = split_gates(r, fi, gs, ngs, lanes, fd, data, size)) > 1)
		return n;
	/* one lane, but the table's bytes are known: reserve_sets */
	lanes[0].mode = PASS_GATES;
	lanes[0].fd = fd;
	lanes[0].beg = data;
	lanes[0].end = size;
	lanes[0].share = size - data;
	return 1;
}

/*
 * By rows: 1 when a part met a ragged row; then every gate of the pass is
 * an error at the first one, as in one pass.
 */
static int
merge_ragged(struct run *r, int fi, const struct header *h,
    const struct parts *ps, const uint64_t *shift, struct gate **gs,
    size_t ngs)
{
	size_t k, i;

	for (k = 0; k < ps->n && !ps->p[k].ragged; k++)
		continue;
	if (k == ps->n)
		return 0;
	for (i = 0; i < ngs; i++)
		if (!gs[i]->evaluated)
			set_error(gs[i], ragged_message(&r->files[fi], h,
			    shift[k] + ps->p[k].ragged_line,
			    ps->p[k].ragged_n));
	return 1;
}

/* The text C has for its example at LINE (now the caller's), or NULL. */
static char *
take_row(struct gate *c, uint64_t line)
{
	char *row;
	size_t i;

	for (i = 0; i < c->nex; i++)
		if (c->ex[i].line == line) {
			row = c->ex[i].row;
			c->ex[i].row = NULL;
			return row;
		}
	return NULL;
}

/*
 * in_set: the values not in the set, in the order one pass meets them
 * (the parts in order, each part's in its order), an example at the first
 * row of each.
 */
static void
merge_drift(struct gate *g, struct gate *c, uint64_t shift)
{
	const char *k;
	size_t n;
	uint32_t id, nid;
	int isnew;

	for (id = 0; id < c->seen.count; id++) {
		k = hmap_key(&c->seen, id, &n);
		nid = hmap_insert(&g->seen, k, n, &isnew);
		if (!isnew)
			continue;
		keep_example(g, c->keyline[id] + shift, take_row(c,
		    c->keyline[id]));
		key_arrays(g, nid);
		g->keyline[nid] = c->keyline[id] + shift;
	}
}

/*
 * A part's copy C into gate G (the parts in order).  The range keeps the
 * first value that reaches the minimum: a later part's only when lower.
 */
static void
merge_gate(struct gate *g, struct gate *c, uint64_t shift)
{
	size_t i;

	g->checked += c->checked;
	g->unexpected += c->unexpected;
	g->fallback |= c->fallback;
	if (g->def->check == IN_SET)
		merge_drift(g, c, shift);
	else
		for (i = 0; i < c->nex; i++) {
			keep_example(g, c->ex[i].line + shift, c->ex[i].row);
			c->ex[i].row = NULL;
		}
	if (g->def->check != BETWEEN || !c->have_range)
		return;
	if (!g->have_range || c->vmin < g->vmin) {
		g->vmin = c->vmin;
		memcpy(g->tmin, c->tmin, sizeof(g->tmin));
	}
	if (!g->have_range || c->vmax > g->vmax) {
		g->vmax = c->vmax;
		memcpy(g->tmax, c->tmax, sizeof(g->tmax));
	}
	g->have_range = 1;
}

/*
 * A key came back when it did within a part, or when two parts have it:
 * the parts are cut between runs, so a key in two is a key that came back.
 */
static void
merge_trackers(struct run *r, struct lane *lanes, size_t n)
{
	size_t i, j, k;
	int back;

	for (i = 0; i < r->ntrk; i++) {
		if (!lanes[0].trk[i].live)
			continue;
		for (k = 0, back = 0; k < n; k++)
			back |= lanes[k].trk[i].came_back;
		for (k = 1; k < n && !back; k++)
			for (j = 0; j < k && !back; j++)
				back = kset_intersects(&lanes[k].trk[i].seen,
				    &lanes[j].trk[i].seen);
		r->trk[i].came_back = back;
	}
}

/* By rows: the parts' results into the gates GS of the pass, in file order. */
static void
merge_parts(struct run *r, int fi, const struct header *h, struct lane *lanes,
    size_t n, struct gate **gs, size_t ngs)
{
	struct parts *ps = lanes[0].parts;
	uint64_t *shift = xrealloc(NULL, ps->n * sizeof(*shift)), before = 0;
	size_t i, k;

	/* a part's line numbers start after the header and the parts before */
	for (k = 0; k < ps->n; k++) {
		shift[k] = 1 + before;
		before += ps->p[k].rows;
	}
	merge_trackers(r, lanes, n);
	if (!merge_ragged(r, fi, h, ps, shift, gs, ngs))
		for (i = 0; i < ngs; i++)
			if (!gs[i]->evaluated)
				for (k = 0; k < ps->n; k++)
					merge_gate(gs[i], &ps->p[k].copies[i],
					    shift[k]);
	free(shift);
}

/* The rows of the table the pass read. */
static uint64_t
pass_rows(const struct lane *lanes)
{
	const struct parts *ps = lanes[0].parts;
	uint64_t rows = 0;
	size_t k;

	if (lanes[0].mode != PASS_ROWS)
		return lanes[0].rows;	/* by gates, every lane reads them all */
	for (k = 0; k < ps->n; k++)
		rows += ps->p[k].rows;
	return rows;
}

static void
free_lanes(struct run *r, struct lane *lanes, size_t n, size_t ngs)
{
	struct parts *ps = lanes[0].parts;
	size_t i, k;

	for (k = 0; ps != NULL && k < ps->n; k++) {
		for (i = 0; i < ngs; i++)
			lane_gate_free(&ps->p[k].copies[i]);
		free(ps->p[k].copies);
		free(ps->p[k].gs);
	}
	if (ps != NULL) {
		pthread_mutex_destroy(&ps->mu);
		free(ps->p);
		free(ps);
	}
	for (k = 0; k < MAX_LANES; k++) {
		if (k < n && lanes[k].trk != r->trk) {
			for (i = 0; i < r->ntrk; i++)
				lane_tracker_free(&lanes[k].trk[i]);
			free(lanes[k].trk);
		}
		free(lanes[k].gs);
	}
	if (lanes[0].fd >= 0)
		close(lanes[0].fd);
}

/* An fk gate on table FI into FI itself, its set not there yet. */
static int
self_target(const struct run *r, int fi, const struct gate *g)
{
	const struct fkset *k = &r->fks[g->fk];

	return g->def->check == FK && k->file == fi && !k->loaded &&
	    k->error == NULL;
}

/*
 * The sets of table FI its own fk gates need (built in the pass): a missing
 * column is their error before the gates' own columns are looked at, as
 * when the set had a pass of its own.
 */
static void
self_columns(struct run *r, int fi, struct gate **gs, size_t ngs,
    const struct header *h)
{
	struct fkset *k;
	size_t i;

	for (i = 0; i < ngs; i++) {
		if (!self_target(r, fi, gs[i]))
			continue;
		k = &r->fks[gs[i]->fk];
		if (find_column(h, k->column) < 0) {
			k->loaded = 1;
			k->error = missing_column(&r->files[fi], h, k->column);
		}
	}
	for (i = 0; i < ngs; i++)
		if (gs[i]->def->check == FK && r->fks[gs[i]->fk].error != NULL)
			set_error(gs[i], xasprintf("fk target %s",
			    r->fks[gs[i]->fk].error));
}

/*
 * One pass over a table: its row count and sha256, and every per-row gate
 * on it.  A ragged row stops those gates (they cannot be evaluated).
 */
static void
scan_file(struct run *r, int fi)
{
	struct file *f = &r->files[fi];
	struct tsv_in t;
	struct header h;
	struct gate **gs = NULL;
	struct lane lanes[MAX_LANES];
	size_t i, ngs = 0, nl;

	for (i = 0; i < r->ng; i++) {
		if (!gate_on_file(&r->g[i], fi))
			continue;
		if (r->g[i].def->check == FK &&
		    r->fks[r->g[i].fk].error != NULL) {
			set_error(&r->g[i], xasprintf("fk target %s",
			    r->fks[r->g[i].fk].error));
			continue;
		}
		gs = xrealloc(gs, (ngs + 1) * sizeof(*gs));
		gs[ngs++] = &r->g[i];
	}
	if (f->scanned && ngs == 0)
		return;
	f->rows = 0;
	free(f->error);
	f->error = NULL;
	if (!open_table(f, &t, 0)) {
		for (i = 0; i < ngs; i++)
			set_error(gs[i], self_target(r, fi, gs[i]) ?
			    xasprintf("fk target %s", f->error) :
			    xstrdup(f->error));
		start_builds(r, fi, gs, 0, NULL, f->error);
		free(gs);
		return;
	}
	header_init(&h, t.header, t.header_len);
	self_columns(r, fi, gs, ngs, &h);
	for (i = 0; i < ngs; i++) {
		if (!resolve_columns(gs[i], f, &h))
			continue;
		if (gs[i]->def->check == IN_SET)
			hmap_init(&gs[i]->seen, 1 << 12);
		if (gs[i]->def->check == UNIQUE && gs[i]->trk < 0)
			kset_init(&gs[i]->kseen, 1 << 12);
	}
	start_trackers(r, fi, gs, ngs, &h);
	start_builds(r, fi, gs, ngs, &h, NULL);
	for (i = 0; i < ngs; i++)
		gs[i]->self = gs[i]->def->check == FK && !gs[i]->evaluated &&
		    r->fks[gs[i]->fk].building;
	hash_request(r, f);	/* it is there: the digest can start */
	nl = plan_pass(r, fi, gs, ngs, &h, lanes);
	if (r->trace && lanes[0].mode == PASS_ROWS)
		warnmsg("trace: %s: %zu lanes by rows, %zu parts", f->path,
		    nl, lanes[0].parts->n);
	else if (r->trace)
		warnmsg("trace: %s: %zu %s", f->path, nl, nl == 1 ? "lane" :
		    "lanes by gates");
	if (lanes[0].fd < 0)
		lanes[0].t = &t;
	run_lanes(lanes, nl);
	tsv_close(&t);
	f->rows = pass_rows(lanes);
	if (lanes[0].mode == PASS_ROWS)
		merge_parts(r, fi, &h, lanes, nl, gs, ngs);
	free_lanes(r, lanes, nl, ngs);
	f->scanned = f->ok = 1;
	for (i = 0; i < r->ntrk; i++)
		tracker_end(&r->trk[i]);
	end_builds(r);
	for (i = 0; i < ngs; i++)
		end_of_pass(r, r->trk, gs[i]);
	exact_pass(r, fi, gs, ngs, &h);
	header_free(&h);
	free(gs);
}

/* The trackers the gates GS on table FI use, ready for a pass. */
static void
start_trackers(struct run *r, int fi, struct gate **gs, size_t ngs,
    const struct header *h)
{
	size_t i;

	for (i = 0; i < ngs; i++)
		if (gs[i]->trk >= 0 && !gs[i]->evaluated &&
		    !r->trk[gs[i]->trk].live &&
		    r->trk[gs[i]->trk].file == fi)
			tracker_start(&r->trk[gs[i]->trk], h,
			    r->files[fi].full);
}

/* What is still in flight or open when the pass ends (TRK: its trackers). */
static void
end_of_pass(struct run *r, const struct tracker *trk, struct gate *g)
{
	/* a run key came back, found late (tracker_insert) */
	if (g->trk >= 0 && trk[g->trk].came_back &&
	    g->def->check != SCD2_CONTIGUOUS)
		g->fallback = 1;
	switch (g->def->check) {
	case UNIQUE:
		if (g->trk >= 0) {
			run_reset(g);
			break;
		}
		if (!g->evaluated)
			insert_drain(&g->kseen, &g->q, g);
		if (g->feeds != NULL && g->evaluated)	/* a ragged row */
			g->feeds->error = xstrdup(g->message);
		else if (g->feeds != NULL) {
			g->feeds->keys = g->kseen;
			memset(&g->kseen, 0, sizeof(g->kseen));
		}
		g->feeds = NULL;
		kset_free(&g->kseen);
		break;
	case FK:
		if (g->self)
			self_fk_end(r, g);
		else if (!g->evaluated)
			fk_drain(r, g);
		break;
	case SCD2_CONTIGUOUS:
		close_chain(g);
		break;
	case SCD2_ONE_CURRENT:
		close_run(g);
		break;
	default:
		break;
	}
}

/*
 * The table was not grouped by the first column of a unique gate's key, or
 * by the key of scd2_one_current: count again over every key, the exact
 * way, in a second pass for those gates.
 */
static void
exact_pass(struct run *r, int fi, struct gate **gs, size_t ngs,
    const struct header *h)
{
	struct file *f = &r->files[fi];
	struct tsv_in t;
	struct fields fv = { 0 };
	struct slice line;
	struct gate *g;
	size_t i, n = 0;

	for (i = 0; i < ngs; i++) {
		g = gs[i];
		if (!g->fallback || g->evaluated)
			continue;
		g->checked = g->unexpected = 0;
		drop_examples(g);
		if (g->def->check == UNIQUE)
			kset_init(&g->kseen, 1 << 12);
		else
			hmap_init(&g->seen, 1 << 12);
		n++;
	}
	if (n == 0)
		return;
	tsv_open(&t, &f->full, 1, TSV_HEADER);
	while (tsv_next(&t, &line)) {
		if (tsv_split(&fv, line.p, line.n) != h->names.n)
			continue;	/* the first pass stopped those gates */
		for (i = 0; i < ngs; i++) {
			g = gs[i];
			if (!g->fallback || g->evaluated)
				continue;
			g->checked++;
			if (g->def->check == UNIQUE)
				insert_key(&g->kseen, &g->q, key_of(g, &fv),
				    t.line, g);
			else
				check_one_current(g, &fv, t.line);
		}
	}
	tsv_close(&t);
	fields_free(&fv);
	for (i = 0; i < ngs; i++) {
		g = gs[i];
		if (!g->fallback || g->evaluated)
			continue;
		if (g->def->check == UNIQUE) {
			insert_drain(&g->kseen, &g->q, g);
			kset_free(&g->kseen);
		} else
			count_current(g);
	}
}

/* After the pass: keys with no or several current rows. */
static void
count_current(struct gate *g)
{
	uint32_t id;

	if (g->evaluated)
		return;
	g->checked = g->seen.count;
	for (id = 0; id < g->seen.count; id++)
		if (g->ncur[id] != 1)
			unexpected_row(g, g->keyline[id]);
}

/* A second pass, only for examples whose text the pass did not take. */
static void
fetch_examples(struct run *r, int fi)
{
	struct file *f = &r->files[fi];
	struct tsv_in t;
	struct slice line;
	size_t i, j, pending = 0, *next;

	for (i = 0; i < r->ng; i++)
		if (r->g[i].fileidx == fi && r->g[i].def->per_row &&
		    !r->g[i].evaluated)
			for (j = 0; j < r->g[i].nex; j++)
				pending += r->g[i].ex[j].row == NULL;
	if (pending == 0 || !f->ok)
		return;
	next = xrealloc(NULL, r->ng * sizeof(*next));
	memset(next, 0, r->ng * sizeof(*next));
	if (!open_table(f, &t, 0))
		die(EXIT_DATA, "%s", f->error);	/* it was there a moment ago */
	while (pending > 0 && tsv_next(&t, &line))
		for (i = 0; i < r->ng; i++) {
			struct gate *g = &r->g[i];

			if (g->fileidx != fi || !g->def->per_row ||
			    g->evaluated)
				continue;
			for (j = next[i]; j < g->nex && g->ex[j].line == t.line;
			    j++) {
				if (g->ex[j].row != NULL)
					continue;	/* taken in the pass */
				g->ex[j].row = example_text(line.p, line.n);
				pending--;
			}
			next[i] = j;
		}
	tsv_close(&t);
	free(next);
}

/* Digests ------------------------------------------------------------- */

static void *
hasher_main(void *arg)
{
	struct hasher *h = arg;
	struct file *f;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		while (h->next == h->nq && !h->closing)
			pthread_cond_wait(&h->cv, &h->mu);
		if (h->next == h->nq)
			break;
		f = h->q[h->next++];
		pthread_mutex_unlock(&h->mu);
		/* it opened a moment ago: failing now is fatal */
		sha256_file_hex(f->full, f->sha256);
		pthread_mutex_lock(&h->mu);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

/* F was read whole: its digest, once, by the hasher (hash_finish waits). */
static void
hash_request(struct run *r, struct file *f)
{
	struct hasher *h = &r->hash;
	int rc;

	if (f->hashing)
		return;
	f->hashing = 1;
	if (!h->running) {
		pthread_mutex_init(&h->mu, NULL);
		pthread_cond_init(&h->cv, NULL);
		if ((rc = pthread_create(&h->tid, NULL, hasher_main, h)) != 0) {
			errno = rc;
			die_sys("cannot start a thread");
		}
		h->running = 1;
	}
	pthread_mutex_lock(&h->mu);
	h->q = xrealloc(h->q, (h->nq + 1) * sizeof(*h->q));
	h->q[h->nq++] = f;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

static void
hash_finish(struct run *r)
{
	struct hasher *h = &r->hash;

	if (!h->running)
		return;
	pthread_mutex_lock(&h->mu);
	h->closing = 1;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->tid, NULL);
	h->running = 0;
}

/* Verdicts ------------------------------------------------------------ */

static void
verdict(struct run *r, struct gate *g, int failed, char *msg)
{
	g->evaluated = 1;
	if (!failed) {
		g->status = ST_PASS;
		free(msg);
		return;
	}
	g->status = g->warn_only && !r->fail_on_warn ? ST_WARN : ST_FAIL;
	g->message = msg;
}

static int
file_ready(struct run *r, struct gate *g)
{
	struct file *f = &r->files[g->fileidx];

	if (!f->ok)
		set_error(g, xstrdup(f->error != NULL ? f->error :
		    "not read"));
	return f->ok;
}

static int
step_selected(const struct gate *g, const struct step *st)
{
	size_t i;

	if (g->nsteps == 0)
		return 1;
	for (i = 0; i < g->nsteps; i++)
		if (strcmp(g->steps[i], st->name) == 0 ||
		    strcmp(g->steps[i], st->tool) == 0)
			return 1;
	return 0;
}

/* rows_in = rows_out + rows_rejected for every selected step. */
static void
eval_reconcile(struct run *r, struct gate *g)
{
	static const char *const names[] = { "rows_in", "rows_out",
	    "rows_rejected" };
	const struct step *st;
	const struct metric *m;
	int64_t v[3];
	size_t i, k;
	char *why;

	g->has_counts = 1;
	for (i = 0; i < r->nsteps; i++) {
		st = &r->steps[i];
		if (!step_selected(g, st))
			continue;
		g->checked++;
		why = NULL;
		for (k = 0; k < 3 && why == NULL; k++) {
			if ((m = find_metric(st, names[k])) == NULL)
				why = xasprintf("%s: step %s: no %s", st->path,
				    st->name, names[k]);
			else if (!parse_i64(m->value, strlen(m->value), &v[k]))
				why = xasprintf("%s: step %s: %s '%s' is not "
				    "an integer", st->path, st->name,
				    names[k], m->value);
		}
		if (why == NULL && (v[1] > INT64_MAX - v[2] ||
		    v[0] != v[1] + v[2]))
			why = xasprintf("%s: step %s: rows_in %lld != rows_out "
			    "%lld + rows_rejected %lld", st->path, st->name,
			    (long long)v[0], (long long)v[1], (long long)v[2]);
		if (why == NULL)
			continue;
		g->unexpected++;
		if (g->nex < MAX_EXAMPLES) {
			m = find_metric(st, "rows_in");
			g->ex[g->nex].line = m != NULL ? m->line : 1;
			g->ex[g->nex++].row = why;
		} else
			free(why);
	}
	if (g->checked == 0)
		set_error(g, xstrdup(g->nsteps > 0 ? "no stats step matches "
		    "the argument" : "no stats files (use --stats)"));
}

static int
compare(int64_t a, enum cmp c, int64_t b)
{
	switch (c) {
	case CMP_EQ:
		return a == b;
	case CMP_NE:
		return a != b;
	case CMP_LT:
		return a < b;
	case CMP_LE:
		return a <= b;
	case CMP_GT:
		return a > b;
	case CMP_GE:
		return a >= b;
	}
	return 0;
}

/* The gates that need no pass of their own: counts, stats, digests. */
static void
eval_late(struct run *r, struct gate *g)
{
	struct file *f;
	int64_t a, b;
	char *why = NULL;

	if (g->evaluated)
		return;
	switch (g->def->check) {
	case ROW_COUNT_BETWEEN:
		if (!file_ready(r, g))
			return;
		f = &r->files[g->fileidx];
		g->obs_kind = OBS_U64;
		g->obs_u64 = f->rows;
		g->threshold = xstrdup(g->arg);
		verdict(r, g, (g->has_lo && f->rows < (uint64_t)g->ilo) ||
		    (g->has_hi && f->rows > (uint64_t)g->ihi),
		    xasprintf("%llu rows (expected %s)",
		    (unsigned long long)f->rows, g->arg));
		break;
	case ROW_COUNT_EQ:
	case EXPR:
		if (g->fileidx >= 0) {
			if (!file_ready(r, g))
				return;
			a = (int64_t)r->files[g->fileidx].rows;
		} else if (!eval_node(r, &g->lhs, g->lhs.root, &a, &why)) {
			set_error(g, why);
			return;
		}
		if (!eval_node(r, &g->rhs, g->rhs.root, &b, &why)) {
			set_error(g, why);
			return;
		}
		g->obs_kind = OBS_I64;
		g->obs_i64 = a;
		g->threshold = xasprintf("%s %lld", cmp_names[g->cmp],
		    (long long)b);
		verdict(r, g, !compare(a, g->cmp, b), g->fileidx >= 0 ?
		    xasprintf("%lld rows (expected %s %lld: %s)",
		    (long long)a, cmp_names[g->cmp], (long long)b, g->arg) :
		    xasprintf("%lld %s %lld is false (%s)", (long long)a,
		    cmp_names[g->cmp], (long long)b, g->arg));
		break;
	case SHA256:
		if (!file_ready(r, g))
			return;
		f = &r->files[g->fileidx];
		g->obs_kind = OBS_STR;
		g->obs_str = f->sha256;
		if (g->arg[0] != '\0')
			g->threshold = xstrdup(g->arg);
		verdict(r, g, g->arg[0] != '\0' && strcmp(g->arg, f->sha256)
		    != 0, xasprintf("sha256 %s (expected %s)", f->sha256,
		    g->arg));
		break;
	case STATS_RECONCILE:
		eval_reconcile(r, g);
		break;
	default:
		break;
	}
}

/* Up to five values that were not in the set, for the message. */
static char *
set_drift(const struct gate *g)
{
	char *s = xstrdup(""), *t;
	const char *k;
	size_t n;
	uint32_t id;

	for (id = 0; id < g->seen.count && id < 5; id++) {
		k = hmap_key(&g->seen, id, &n);
		t = xasprintf("%s%s'%.*s'", s, id > 0 ? ", " : "",
		    (int)(n > 40 ? 40 : n), k);
		free(s);
		s = t;
	}
	if (g->seen.count > 5) {
		t = xasprintf("%s, ...", s);
		free(s);
		s = t;
	}
	return s;
}

static int
over_tolerance(const struct gate *g)
{
	if (!g->tol_share)
		return g->unexpected > g->max_count;
	return (i128)g->unexpected * 1000000 > (i128)g->max_share * g->checked;
}

/* Status, observed value and message of a gate counted row by row. */
static void
finish_gate(struct run *r, struct gate *g)
{
	unsigned long long u = g->unexpected, c = g->checked;
	char *what, *drift;

	if (!g->def->per_row && g->def->check != STATS_RECONCILE)
		return;
	if (g->evaluated && g->status == ST_ERROR)
		return;
	g->has_counts = 1;
	g->obs_kind = OBS_U64;
	g->obs_u64 = g->unexpected;
	g->threshold = xstrdup(g->tol_text);
	switch (g->def->check) {
	case NOT_NULL:
		what = xasprintf("%llu of %llu rows have \\N in %s", u, c,
		    g->columns);
		break;
	case UNIQUE:	/* a row is the first of its key or a repeat */
		what = xasprintf("%llu of %llu rows repeat a key of %s "
		    "(%lu distinct)", u, c, g->columns,
		    (unsigned long)(c - u));
		break;
	case BETWEEN:
		what = g->have_range ? xasprintf("%llu of %llu values of %s "
		    "outside %s or not numeric (seen %s..%s)", u, c,
		    g->columns, g->arg, g->tmin, g->tmax) :
		    xasprintf("%llu of %llu values of %s not numeric", u, c,
		    g->columns);
		break;
	case IN_SET:
		drift = set_drift(g);
		what = xasprintf("%llu of %llu values of %s not in the set "
		    "(%lu distinct: %s)", u, c, g->columns,
		    (unsigned long)g->seen.count, drift);
		free(drift);
		break;
	case MATCHES:
		what = xasprintf("%llu of %llu values of %s do not match %s",
		    u, c, g->columns, g->arg);
		break;
	case FK:
		what = xasprintf("%llu of %llu values of %s not found in %s",
		    u, c, g->columns, g->arg);
		break;
	case SCD2_ONE_CURRENT:
		what = xasprintf("%llu of %llu keys (%s) do not have exactly "
		    "one current row", u, c, g->columns);
		break;
	case SCD2_CONTIGUOUS:
		what = xasprintf("%llu of %llu rows break the version chain "
		    "of %s", u, c, g->columns);
		break;
	case STATS_RECONCILE:
		what = xasprintf("%llu of %llu steps do not reconcile "
		    "rows_in = rows_out + rows_rejected", u, c);
		break;
	default:
		return;
	}
	verdict(r, g, over_tolerance(g), xasprintf("%s (allowed %s)", what,
	    g->tol_text));
	free(what);
}

/* The evidence file --------------------------------------------------- */

struct input_rec {
	const char	*file, *step, *bytes, *sha256;
	int64_t		 rows;		/* -1: unknown */
};

static int
cmp_input(const void *a, const void *b)
{
	const struct input_rec *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	if (c != 0)
		return c;
	if (x->step == NULL || y->step == NULL)
		return (x->step != NULL) - (y->step != NULL);
	return strcmp(x->step, y->step);
}

/* A canonical integer becomes a JSON number, anything else a string. */
static void
json_value(struct json *j, const char *s)
{
	int64_t v;
	size_t n = strlen(s);

	if (parse_i64(s, n, &v) && (s[0] != '0' || n == 1) &&
	    (s[0] != '-' || (n > 1 && s[1] != '0')) && s[0] != '+')
		json_number(j, s);
	else
		json_str(j, s);
}

static void
json_opt_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	if (s != NULL)
		json_str(j, s);
	else
		json_null(j);
}

/* The --input files, and the files each imdb-cat step says it read. */
static size_t
collect_inputs(struct run *r, struct input_rec **out)
{
	struct input_rec *v = NULL;
	struct tsv_in t;
	struct slice line;
	const struct metric *mf, *mb, *ms, *mr;
	char m[64], sfx[24];
	size_t n = 0, i, k;
	int64_t rows;

	for (i = 0; i < r->ninput_args; i++) {
		struct file f = { .full = r->input_args[i] };

		if (!open_table(&f, &t, INPUT_SHA256))
			die(EXIT_DATA, "--input: %s", f.error);
		rows = 0;
		while (tsv_next(&t, &line))
			rows++;
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n].file = r->input_args[i];
		v[n].step = NULL;
		v[n].bytes = xasprintf("%llu", (unsigned long long)
		    (t.raw_bytes + (t.in != NULL ? input_raw_bytes(t.in) : 0)));
		tsv_close(&t);
		v[n].sha256 = xstrdup(f.sha256);
		v[n++].rows = rows;
	}
	for (i = 0; i < r->nsteps; i++) {
		if (strcmp(r->steps[i].tool, "imdb-cat") != 0)
			continue;
		for (k = 1;; k++) {
			snprintf(sfx, sizeof(sfx), k > 1 ? "_%zu" : "", k);
			snprintf(m, sizeof(m), "input_file%s", sfx);
			if ((mf = find_metric(&r->steps[i], m)) == NULL)
				break;
			snprintf(m, sizeof(m), "input_bytes%s", sfx);
			mb = find_metric(&r->steps[i], m);
			snprintf(m, sizeof(m), "input_sha256%s", sfx);
			ms = find_metric(&r->steps[i], m);
			mr = find_metric(&r->steps[i], "rows_in");
			v = xrealloc(v, (n + 1) * sizeof(*v));
			v[n].file = mf->value;
			v[n].step = r->steps[i].name;
			v[n].bytes = mb != NULL ? mb->value : NULL;
			v[n].sha256 = ms != NULL ? ms->value : NULL;
			v[n].rows = -1;
			/* rows_in covers all files of the step: only one here */
			if (mr != NULL && !parse_i64(mr->value,
			    strlen(mr->value), &v[n].rows))
				v[n].rows = -1;
			if (find_metric(&r->steps[i], "input_file_2") != NULL)
				v[n].rows = -1;
			n++;
		}
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_input);
	*out = v;
	return n;
}

static void
write_run(struct run *r, struct json *j)
{
	const char **tv = NULL;
	const struct metric *m;
	size_t i, n = 0, eq;

	json_key(j, "run");
	json_object_begin(j);
	json_opt_str(j, "as_of", r->as_of);
	json_key(j, "params");
	json_object_begin(j);
	for (i = 0; i < r->nparams; i++) {
		eq = strchr(r->params[i], '=') - r->params[i];
		r->params[i][eq] = '\0';
		json_key(j, r->params[i]);
		json_str(j, r->params[i] + eq + 1);
		r->params[i][eq] = '=';
	}
	json_object_end(j);
	/* Ours, and any "version" metric a step reports, by tool name. */
	tv = xrealloc(tv, 2 * (r->nsteps + 1) * sizeof(*tv));
	tv[n++] = "evidence-sum";
	tv[n++] = P07_VERSION;
	for (i = 0; i < r->nsteps; i++)
		if ((m = find_metric(&r->steps[i], "version")) != NULL) {
			tv[n++] = r->steps[i].tool;
			tv[n++] = m->value;
		}
	if (n / 2 > 1)
		qsort(tv, n / 2, 2 * sizeof(*tv), cmp_str);
	json_key(j, "tool_versions");
	json_object_begin(j);
	for (i = 0; i < n; i += 2) {
		if (i > 0 && strcmp(tv[i], tv[i - 2]) == 0)
			continue;
		json_key(j, tv[i]);
		json_str(j, tv[i + 1]);
	}
	json_object_end(j);
	json_object_end(j);
	free(tv);
}

static void
write_inputs(struct run *r, struct json *j)
{
	struct input_rec *v;
	size_t i, n = collect_inputs(r, &v);

	json_key(j, "inputs");
	json_array_begin(j);
	for (i = 0; i < n; i++) {
		json_object_begin(j);
		json_opt_str(j, "file", v[i].file);
		json_opt_str(j, "step", v[i].step);
		json_key(j, "bytes");
		if (v[i].bytes != NULL)
			json_value(j, v[i].bytes);
		else
			json_null(j);
		json_opt_str(j, "sha256", v[i].sha256);
		json_key(j, "rows");
		if (v[i].rows >= 0)
			json_i64(j, v[i].rows);
		else
			json_null(j);
		json_object_end(j);
	}
	json_array_end(j);
	for (i = 0; i < n; i++)
		if (v[i].step == NULL) {	/* ours; the rest are the stats' */
			free((char *)v[i].bytes);
			free((char *)v[i].sha256);
		}
	free(v);
}

static int
cmp_file_ptr(const void *a, const void *b)
{
	return strcmp((*(struct file *const *)a)->path,
	    (*(struct file *const *)b)->path);
}

static void
write_outputs(struct run *r, struct json *j)
{
	struct file **fs = xrealloc(NULL, r->nfiles * sizeof(*fs));
	size_t i;

	for (i = 0; i < r->nfiles; i++)
		fs[i] = &r->files[i];
	if (r->nfiles > 1)
		qsort(fs, r->nfiles, sizeof(*fs), cmp_file_ptr);
	json_key(j, "outputs");
	json_array_begin(j);
	for (i = 0; i < r->nfiles; i++) {
		json_object_begin(j);
		json_key(j, "file");
		json_str(j, fs[i]->path);
		json_key(j, "rows");
		if (fs[i]->ok)
			json_u64(j, fs[i]->rows);
		else
			json_null(j);
		json_opt_str(j, "sha256", fs[i]->ok ? fs[i]->sha256 : NULL);
		json_object_end(j);
	}
	json_array_end(j);
	free(fs);
}

static void
write_steps(struct run *r, struct json *j)
{
	size_t i, k;

	json_key(j, "steps");
	json_array_begin(j);
	for (i = 0; i < r->nsteps; i++) {
		json_object_begin(j);
		json_key(j, "step");
		json_str(j, r->steps[i].name);
		json_key(j, "tool");
		json_str(j, r->steps[i].tool);
		json_key(j, "file");
		json_str(j, r->steps[i].path);
		json_key(j, "metrics");
		json_object_begin(j);
		for (k = 0; k < r->steps[i].nm; k++) {
			json_key(j, r->steps[i].m[k].name);
			json_value(j, r->steps[i].m[k].value);
		}
		json_object_end(j);
		json_object_end(j);
	}
	json_array_end(j);
}

static void
write_gate(struct json *j, const struct gate *g)
{
	char buf[64];
	size_t i;

	json_object_begin(j);
	json_key(j, "id");
	json_str(j, g->id);
	json_opt_str(j, "file", g->file[0] != '\0' ? g->file : NULL);
	json_key(j, "check");
	json_str(j, g->checkname);
	json_key(j, "columns");
	json_array_begin(j);
	for (i = 0; i < g->ncols; i++)
		json_str(j, g->cols[i]);
	json_array_end(j);
	json_opt_str(j, "argument", absent(g->argument) ? NULL : g->argument);
	json_key(j, "severity");
	json_str(j, g->warn_only ? "warn" : "error");
	json_key(j, "status");
	json_str(j, status_names[g->status]);
	json_key(j, "observed");
	if (g->status == ST_ERROR || g->obs_kind == OBS_NONE)
		json_null(j);
	else if (g->obs_kind == OBS_U64)
		json_u64(j, g->obs_u64);
	else if (g->obs_kind == OBS_I64)
		json_i64(j, g->obs_i64);
	else
		json_str(j, g->obs_str);
	json_opt_str(j, "threshold", g->status == ST_ERROR ? NULL :
	    g->threshold);
	json_key(j, "checked");
	if (g->has_counts && g->status != ST_ERROR)
		json_u64(j, g->checked);
	else
		json_null(j);
	json_key(j, "unexpected");
	if (g->has_counts && g->status != ST_ERROR)
		json_u64(j, g->unexpected);
	else
		json_null(j);
	json_key(j, "unexpected_share");
	if (g->has_counts && g->status != ST_ERROR && g->checked > 0) {
		fmt_fraction(buf, g->unexpected, g->checked, 4);
		json_number(j, buf);
	} else
		json_null(j);
	json_opt_str(j, "message", g->message);
	json_key(j, "examples");
	json_array_begin(j);
	for (i = 0; g->status != ST_ERROR && i < g->nex; i++) {
		json_object_begin(j);
		json_key(j, "line");
		json_u64(j, g->ex[i].line);
		json_opt_str(j, "row", g->ex[i].row);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static void
write_evidence(struct run *r)
{
	struct out o;
	struct json j;
	size_t i, count[4] = { 0 };

	out_open(&o, r->output);
	json_init(&j, &o);
	json_object_begin(&j);
	json_key(&j, "p07_version");
	json_str(&j, P07_VERSION);
	write_run(r, &j);
	write_inputs(r, &j);
	write_outputs(r, &j);
	write_steps(r, &j);
	json_key(&j, "gates");
	json_array_begin(&j);
	for (i = 0; i < r->ng; i++) {
		write_gate(&j, &r->g[i]);
		count[r->g[i].status]++;
	}
	json_array_end(&j);
	json_key(&j, "totals");
	json_object_begin(&j);
	json_key(&j, "gates");
	json_u64(&j, r->ng);
	json_key(&j, "passed");
	json_u64(&j, count[ST_PASS]);
	json_key(&j, "warned");
	json_u64(&j, count[ST_WARN]);
	json_key(&j, "failed");
	json_u64(&j, count[ST_FAIL]);
	json_key(&j, "errors");
	json_u64(&j, count[ST_ERROR]);
	json_object_end(&j);
	json_object_end(&j);
	json_finish(&j);
	out_close(&o);
}

/* One line per gate that did not pass; the exit status. */
static int
report(struct run *r)
{
	struct gate *g;
	size_t i;
	int status = 0;

	for (i = 0; i < r->ng; i++) {
		g = &r->g[i];
		switch (g->status) {
		case ST_PASS:
			break;
		case ST_WARN:
			warnmsg("warn: %s: %s", g->id, g->message);
			break;
		case ST_FAIL:
			warnmsg("fail: %s: %s", g->id, g->message);
			status = EXIT_DATA;
			break;
		case ST_ERROR:
			if (g->warn_only && !r->fail_on_warn) {
				warnmsg("warn: %s: cannot evaluate: %s", g->id,
				    g->message);
				break;
			}
			warnmsg("error: %s: cannot evaluate: %s", g->id,
			    g->message);
			status = EXIT_DATA;
			break;
		}
	}
	return status;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s --gates FILE [--dir DIR] [--stats DIR|FILE ...] "
	    "[--as-of DATE]\n"
	    "                    [--param KEY=VALUE ...] [--input FILE ...] "
	    "[-o FILE] [--fail-on-warn]\n", progname);
}
