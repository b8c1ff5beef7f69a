/*
 * imdb-synth - writes a deterministic synthetic IMDb catalogue: the seven
 * non-commercial dataset files with IMDb's headers, column order, file order
 * and quirks, at any scale, and later snapshots of the same catalogue.
 *
 * Every value is a pure function of (seed, what, index): nothing depends on
 * the order of work, so each file is written by its own process and the same
 * options give the same bytes.  Counts that must be exact (titles, ratings,
 * principals, akas, episodes) are dealt out in blocks of 64 titles, each
 * block getting its exact share, shuffled inside the block.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "gzout.h"
#include "msg.h"
#include "stats.h"

#ifndef P07_VERSION
#define P07_VERSION "0.0.0"
#endif

/* Sizes at --scale 1, the full IMDb export. */
#define BASE_TITLES	12300000.0
#define BASE_RATINGS	1640000.0
#define BASE_NAMES	15100000.0
#define BASE_PRINCIPALS	98000000.0
#define AKAS_NUM	5		/* akas per title: 5/2 */
#define AKAS_DEN	2
#define EPISODE_NUM	7		/* share of tvEpisode titles: 7/10 */
#define EPISODE_DEN	10
#define ADD_PER_MILLE	10		/* titles added by each snapshot */
#define REMOVE_DEN	200		/* 1 in 200 titles removed per snapshot */
#define CHANGE_DEN	50		/* 1 in 50 titles changed per snapshot */
#define DANGLING_DEN	100		/* 1 in 100 principals has no name row */
#define TITLE_ID_SPAN	37000000	/* ids spread like IMDb's, to tt37M */
#define NAME_ID_SPAN	34000000
#define ID_LIMIT	100000000	/* 8 digits at most */
#define MAX_SCALE	2.0
#define BLOCK		64
#define FLUSH_AT	(256u << 10)

enum { F_NAME, F_AKAS, F_BASICS, F_CREW, F_EPISODE, F_PRINCIPALS,
	F_RATINGS, NFILES };

static const char *const file_name[NFILES] = {
	"name.basics", "title.akas", "title.basics", "title.crew",
	"title.episode", "title.principals", "title.ratings"
};
static const char *const file_header[NFILES] = {
	"nconst\tprimaryName\tbirthYear\tdeathYear\tprimaryProfession\t"
	    "knownForTitles\n",
	"titleId\tordering\ttitle\tregion\tlanguage\ttypes\tattributes\t"
	    "isOriginalTitle\n",
	"tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\t"
	    "endYear\truntimeMinutes\tgenres\n",
	"tconst\tdirectors\twriters\n",
	"tconst\tparentTconst\tseasonNumber\tepisodeNumber\n",
	"tconst\tordering\tnconst\tcategory\tjob\tcharacters\n",
	"tconst\taverageRating\tnumVotes\n",
};
/* Biggest first, so the longest job starts at once. */
static const int job_order[NFILES] = {
	F_PRINCIPALS, F_AKAS, F_NAME, F_BASICS, F_CREW, F_EPISODE, F_RATINGS
};

enum { T_MOVIE, T_SHORT, T_TVSERIES, T_TVEPISODE, T_TVMOVIE,
	T_TVMINISERIES, T_TVSPECIAL, T_VIDEO, T_VIDEOGAME, T_TVSHORT,
	T_TVPILOT, NTYPES };
static const char *const type_name[NTYPES] = {
	"movie", "short", "tvSeries", "tvEpisode", "tvMovie", "tvMiniSeries",
	"tvSpecial", "video", "videoGame", "tvShort", "tvPilot"
};
/* Per mille of the titles that are not episodes. */
static const unsigned type_weight[NTYPES] = {
	250, 380, 100, 0, 60, 40, 30, 100, 20, 15, 5
};
#define TI_TYPE		0x0f
#define TI_RATED	0x10

/* IMDb's 28 genres in byte order: bit i of a mask is genre_name[i]. */
#define NGENRES		28
#define G_ADULT		1
#define G_SHORT		22
static const char *const genre_name[NGENRES] = {
	"Action", "Adult", "Adventure", "Animation", "Biography", "Comedy",
	"Crime", "Documentary", "Drama", "Family", "Fantasy", "Film-Noir",
	"Game-Show", "History", "Horror", "Music", "Musical", "Mystery",
	"News", "Reality-TV", "Romance", "Sci-Fi", "Short", "Sport",
	"Talk-Show", "Thriller", "War", "Western"
};

enum { C_ACTOR, C_ACTRESS, C_SELF, C_DIRECTOR, C_WRITER, C_PRODUCER,
	C_COMPOSER, C_CINEMATOGRAPHER, C_EDITOR, C_ARCHIVE_FOOTAGE,
	C_PRODUCTION_DESIGNER, C_CASTING_DIRECTOR, C_ARCHIVE_SOUND, NCATS };
static const char *const cat_name[NCATS] = {
	"actor", "actress", "self", "director", "writer", "producer",
	"composer", "cinematographer", "editor", "archive_footage",
	"production_designer", "casting_director", "archive_sound"
};
static const unsigned cat_weight[NCATS] = {	/* per mille */
	260, 170, 120, 90, 100, 90, 50, 40, 40, 15, 12, 10, 3
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const title_word[] = {
	"Night", "Love", "Man", "Last", "Dark", "City", "Return", "Girl",
	"House", "World", "Blood", "Dead", "Life", "Secret", "Story", "Time",
	"King", "Lost", "War", "Heart", "Day", "Summer", "Death", "Game",
	"Dream", "Island", "River", "Road", "Star", "Woman", "Shadow", "Fire",
	"Black", "White", "Red", "Blue", "Golden", "Little", "Big", "Great",
	"Wild", "Silent", "Hidden", "Broken", "Lonely", "Final", "First",
	"New", "Old", "Young", "Strange", "Sweet", "Cold", "Long", "Deep",
	"Empty", "Happy", "Crazy", "Perfect", "Midnight", "Morning", "Winter",
	"Rain", "Snow", "Storm", "Sea", "Sky", "Moon", "Sun", "Garden",
	"Castle", "Street", "Town", "Mountain", "Forest", "Desert", "Ocean",
	"Train", "Letter", "Song", "Dance", "Music", "Voice", "Mirror",
	"Window", "Door", "Key", "Ghost", "Angel", "Devil", "Hero", "Stranger",
	"Family", "Brother", "Sister", "Mother", "Father", "Child", "Friend",
	"Thief", "Soldier", "Doctor", "Captain", "Queen", "Prince", "Journey",
	"Escape", "Revenge", "Promise", "Memory", "Legacy", "Kingdom",
	"Empire", "Paradise", "Liebe", "Nacht", "Amour", "Nuit", "Vida",
	"Coraz\xc3\xb3n", "\xc3\x89t\xc3\xa9", "Stra\xc3\x9f" "e",
	"M\xc3\xa4" "dchen", "Ciudad", "Sombra",
	"\xd0\x9b\xd1\x8e\xd0\xb1\xd0\xbe\xd0\xb2\xd1\x8c",
	"\xe6\x84\x9b", "\xe5\xa4\x9c", "\xce\xa8\xcf\x85\xcf\x87\xce\xae"
};
static const char *const the_word[] = { "The", "La", "Der", "Le", "El" };
static const char *const month_name[] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};
static const char *const first_name[] = {
	"James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael",
	"Linda", "William", "Elizabeth", "David", "Barbara", "Richard",
	"Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
	"Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark",
	"Margaret", "Paul", "Sandra", "Steven", "Ashley", "Andrew", "Emily",
	"Kevin", "Carol", "Brian", "Amanda", "George", "Melissa", "Hans",
	"Ingrid", "Pierre", "Am\xc3\xa9lie", "Jos\xc3\xa9", "Mar\xc3\xad" "a",
	"S\xc3\xb8ren", "Zo\xc3\xab", "J\xc3\xbcrgen", "Fran\xc3\xa7ois",
	"Giulia", "Marco", "Yuki", "Hiroshi", "Olga", "Ivan", "Priya", "Raj",
	"Chen", "Mei", "Ahmed", "Fatima", "Kwame", "Ama", "Lars", "Astrid",
	"Bj\xc3\xb6rn", "\xc3\x89lodie", "Mikhail", "Anna"
};
static const char *const last_name[] = {
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller",
	"Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez",
	"Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson",
	"Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
	"Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen",
	"King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
	"Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell",
	"Mitchell", "Carter", "Roberts", "M\xc3\xbcller", "Schmidt", "Dubois",
	"Lef\xc3\xa8vre", "Rossi", "Bianchi", "Tanaka", "Suzuki", "Ivanov",
	"Petrova", "Kumar", "Sharma", "Wang", "Zhang", "Kim", "Park",
	"Okafor", "Mensah", "Johansson", "Nielsen", "Kowalski", "Nowak",
	"O'Brien", "McAllister", "Garc\xc3\xad" "a M\xc3\xa1rquez",
	"de la Cruz", "van der Berg", "\xc3\x98stergaard", "\xc3\x87" "elik",
	"\xc5\x9e" "ahin"
};
static const char *const profession[] = {
	"actor", "actress", "miscellaneous", "producer", "writer", "director",
	"camera_department", "editor", "cinematographer", "composer",
	"soundtrack", "music_department", "art_department",
	"make_up_department", "costume_department", "assistant_director",
	"sound_department", "production_manager", "visual_effects",
	"animation_department", "casting_department", "location_management",
	"special_effects", "stunts", "transportation_department",
	"editorial_department", "script_department", "casting_director",
	"production_designer", "talent_agent", "set_decorator", "manager",
	"executive", "publicist", "legal", "choreographer", "archive_footage",
	"podcaster", "electrical_department"
};
static const char *const region[] = {
	"US", "GB", "DE", "FR", "IT", "ES", "JP", "IN", "BR", "RU", "HU", "GR",
	"SE", "CA", "AU", "MX", "AR", "PL", "NL", "TR", "KR", "CN", "PT", "FI",
	"DK", "NO", "XWW", "SUHH"
};
static const char *const language[] = {
	"en", "de", "fr", "es", "ja", "hi", "ru", "it", "pt", "tr", "qbn",
	"cmn", "yue"
};
static const char *const aka_type[] = {
	"alternative", "working", "festival", "dvd", "tv", "video"
};
static const char *const aka_attr[] = {
	"literal title", "informal title", "alternative spelling",
	"short title", "new title", "complete title", "original script title",
	"reissue title", "transliterated title", "English translation"
};
static const char *const writer_job[] = {
	"novel", "screenplay", "story", "screenplay by", "characters",
	"teleplay", "based on the novel by", "written by", "adaptation"
};

/* Salts: one per independent quantity. */
enum { S_TID = 1, S_NID, S_BLOCK, S_TYPE, S_TITLE, S_RM, S_CH, S_CHKIND,
	S_CHNAME, S_RATE, S_RSTEP, S_NAME, S_PR, S_DANG, S_AKA, S_CREW,
	S_EPISODE };

struct synth {
	uint64_t	 seed;
	unsigned	 snap;		/* K of --snapshot */
	uint64_t	 nt;		/* base titles */
	uint64_t	 nr, nn, np;	/* base ratings, names, principal rows */
	uint64_t	 nadd;		/* titles added by each snapshot */
	uint64_t	 gt;		/* title indices: nt + snap * nadd */
	uint64_t	 tspan, nspan;	/* ids are spread over 1..span */
	uint64_t	 t8, n8;	/* first index whose id has 8 digits */
	uint8_t		*tinfo;		/* type | TI_RATED, per title index */
	uint8_t		*npr;		/* principal rows per title */
	uint8_t		*naka;		/* akas per title */
	uint32_t	*series;	/* base tvSeries and tvMiniSeries */
	uint64_t	 nseries;
};

struct rng {
	uint64_t	 s;
};

struct buf {
	char		*p;
	size_t		 len, cap;
};

struct title {
	unsigned	 type;
	int		 adult, start, end, runtime;	/* -1: \N */
	uint32_t	 genres;			/* 0: \N */
	uint64_t	 pseed, oseed;	/* primaryTitle, originalTitle */
	char		 primary[256], original[256];
	size_t		 plen, olen;
};

struct rating {
	unsigned	 tenths;
	uint64_t	 votes;
};

/* Walks indices in the byte order of their ids: 7-digit run, 8-digit run. */
struct order {
	uint64_t	 a, aend, b, bend;
	uint64_t	(*id)(const struct synth *, uint64_t);
};

enum { M_TITLES_ADDED, M_TITLES_REMOVED, M_TITLES_CHANGED, M_RATINGS_ADDED,
	M_RATINGS_REMOVED, M_RATING_CHANGED, M_VOTES_UP, M_VOTES_DOWN,
	M_DANGLING, NMETRICS };
static const char *const metric_name[NMETRICS] = {
	"titles_added", "titles_removed", "titles_changed", "ratings_added",
	"ratings_removed", "ratings_rating_changed", "ratings_votes_up",
	"ratings_votes_down", "principals_dangling_nconst"
};

struct census {
	uint64_t	 rows[NFILES];
	uint64_t	 m[NMETRICS];
};

static void	setup(struct synth *, double, uint64_t, unsigned);
static void	build_catalogue(struct synth *);
static void	fill_segment(struct synth *, unsigned, uint64_t, uint64_t);
static void	take_census(const struct synth *, struct census *);
static int	run_jobs(const struct synth *, struct gzout **, const int *,
		    int, int, uint64_t *);
static void	write_file(const struct synth *, int, struct gzout *,
		    uint64_t *);
static void	write_manifest(const char *, const struct synth *,
		    const struct census *, const char *, const char *,
		    const char *, int);
static unsigned	parse_files(const char *);
static void	check_date(const char *);
static void	default_date(char *, size_t, unsigned);
static void	make_dir(const char *);
static void	usage(FILE *);

enum { O_SCALE = CLI_FIRST_TOOL_OPTION, O_SEED, O_SNAPSHOT, O_FILES,
	O_PLAIN, O_DATE };

static const struct option longopts[] = {
	{ "help",	no_argument,		NULL, CLI_HELP },
	{ "version",	no_argument,		NULL, CLI_VERSION },
	{ "stats",	required_argument,	NULL, CLI_STATS },
	{ "scale",	required_argument,	NULL, O_SCALE },
	{ "seed",	required_argument,	NULL, O_SEED },
	{ "snapshot",	required_argument,	NULL, O_SNAPSHOT },
	{ "out",	required_argument,	NULL, 'o' },
	{ "files",	required_argument,	NULL, O_FILES },
	{ "plain",	no_argument,		NULL, O_PLAIN },
	{ "date",	required_argument,	NULL, O_DATE },
	{ "jobs",	required_argument,	NULL, 'j' },
	{ "verbose",	no_argument,		NULL, 'v' },
	{ NULL,		0,			NULL, 0 }
};

int
main(int argc, char *argv[])
{
	struct cli cli = { .usage = usage };
	struct synth s;
	struct census cen;
	struct gzout *out[NFILES] = { NULL };
	int selected[NFILES], nsel = 0, ch, i, jobs, verbose = 0, plain = 0;
	unsigned mask = (1u << NFILES) - 1;
	const char *dir = ".", *date = NULL, *scale_arg = "0.01";
	char defdate[48], path[4096];
	double scale = 0.01;
	uint64_t seed = 1, snap = 0, *rows;
	long ncpu;

	msg_init(argv[0]);
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	jobs = ncpu < 1 ? 1 : ncpu > NFILES ? NFILES : (int)ncpu;
	while ((ch = getopt_long(argc, argv, "j:o:v", longopts, NULL)) != -1) {
		if (cli_common(&cli, ch, optarg))
			continue;
		switch (ch) {
		case O_SCALE:
			scale = cli_double(optarg, "--scale");
			scale_arg = optarg;
			if (!(scale > 0) || scale > MAX_SCALE)
				die_usage("--scale: invalid value '%s' (expected "
				    "a number above 0 and at most 2)", optarg);
			break;
		case O_SEED:
			seed = cli_u64(optarg, "--seed");
			break;
		case O_SNAPSHOT:
			snap = cli_u64(optarg, "--snapshot");
			if (snap > 1000)
				die_usage("--snapshot: invalid value '%s' "
				    "(expected 0 to 1000)", optarg);
			break;
		case 'o':
			dir = optarg;
			break;
		case O_FILES:
			mask = parse_files(optarg);
			break;
		case O_PLAIN:
			plain = 1;
			break;
		case O_DATE:
			check_date(optarg);
			date = optarg;
			break;
		case 'j':
			jobs = (int)cli_u64(optarg, "--jobs");
			if (jobs < 1 || jobs > 64)
				die_usage("--jobs: invalid value '%s' (expected "
				    "1 to 64)", optarg);
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage(stderr);
			exit(EXIT_USAGE);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (date == NULL) {
		default_date(defdate, sizeof(defdate), (unsigned)snap);
		date = defdate;
	}

	setup(&s, scale, seed, (unsigned)snap);
	make_dir(dir);
	for (i = 0; i < NFILES; i++) {
		int f = job_order[i];

		if (!(mask & (1u << f)))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s.%s", dir,
		    file_name[f], plain ? "tsv" : "tsv.gz") >= sizeof(path))
			die(EXIT_USAGE, "%s: path too long", dir);
		selected[nsel++] = f;
	}
	/* Open in name order, so the first complaint is about name.basics. */
	for (i = 0; i < NFILES; i++) {
		if (!(mask & (1u << i)))
			continue;
		snprintf(path, sizeof(path), "%s/%s.%s", dir, file_name[i],
		    plain ? "tsv" : "tsv.gz");
		out[i] = gzout_open(path, plain ? GZOUT_PLAIN : 1);
	}
	build_catalogue(&s);

	rows = mmap(NULL, NFILES * sizeof(*rows), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rows == MAP_FAILED)
		die_sys("mmap");
	memset(rows, 0, NFILES * sizeof(*rows));
	/* A child said why; out.c removes every temporary at exit. */
	if (run_jobs(&s, out, selected, nsel, jobs, rows) != 0)
		exit(EXIT_DATA);
	take_census(&s, &cen);
	for (i = 0; i < NFILES; i++)
		if (out[i] != NULL && rows[i] != cen.rows[i])
			die(EXIT_DATA, "internal error: %s has %llu rows, "
			    "expected %llu", file_name[i],
			    (unsigned long long)rows[i],
			    (unsigned long long)cen.rows[i]);
	/*
	 * Nothing is renamed yet: out.c renames the data files, SYNTH.tsv and
	 * the --stats file together when main returns, or removes them all if
	 * anything after this point fails.
	 */
	for (i = 0; i < NFILES; i++)
		if (out[i] != NULL)
			gzout_child_finished(out[i]);
	write_manifest(dir, &s, &cen, scale_arg, date, cli.stats, verbose);
	return 0;
}

/* --- numbers from (seed, salt, a, b) ------------------------------------ */

static uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
hkey(const struct synth *s, uint64_t salt, uint64_t a, uint64_t b)
{
	uint64_t h;

	h = mix64(s->seed * 0x9e3779b97f4a7c15ULL + salt);
	h = mix64(h ^ (a * 0xd1b54a32d192ed03ULL));
	return mix64(h ^ (b * 0x8cb92ba72f3d8dd7ULL + 0x632be59bd9b4e019ULL));
}

static struct rng
rng_at(const struct synth *s, uint64_t salt, uint64_t a, uint64_t b)
{
	struct rng r = { hkey(s, salt, a, b) };

	return r;
}

static uint64_t
next(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return mix64(r->s);
}

/* Uniform in [0, n). */
static uint64_t
below(struct rng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)next(r) * n) >> 64);
}

/* Uniform in (0, 1]. */
static double
unit(struct rng *r)
{
	return (double)((next(r) >> 11) + 1) * 0x1p-53;
}

static unsigned
weighted(struct rng *r, const unsigned *w, unsigned n)
{
	unsigned x = (unsigned)below(r, 1000), i;

	for (i = 0; i + 1 < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

#define PICK(r, a)	((a)[below((r), NELEM(a))])

/* --- the catalogue -------------------------------------------------------- */

static uint64_t
spaced_id(const struct synth *s, uint64_t salt, uint64_t i, uint64_t n,
    uint64_t span)
{
	uint64_t gap = span / n, id = 1 + i * span / n;

	/* Jitter below gap-1 keeps ids increasing with a hole after each. */
	if (i > 0 && gap > 2)
		id += hkey(s, salt, i, 0) % (gap - 1);
	return id;
}

static uint64_t
tid(const struct synth *s, uint64_t g)
{
	return spaced_id(s, S_TID, g, s->nt, s->tspan);
}

static uint64_t
nid(const struct synth *s, uint64_t j)
{
	return spaced_id(s, S_NID, j, s->nn, s->nspan);
}

static uint64_t
first_8digit(const struct synth *s, uint64_t (*id)(const struct synth *,
    uint64_t), uint64_t n)
{
	uint64_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (id(s, mid) >= 10000000)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static uint64_t
scaled(double scale, double base)
{
	return (uint64_t)floor(scale * base + 0.5);
}

static void
setup(struct synth *s, double scale, uint64_t seed, unsigned snap)
{
	memset(s, 0, sizeof(*s));
	s->seed = seed;
	s->snap = snap;
	s->nt = scaled(scale, BASE_TITLES);
	s->nr = scaled(scale, BASE_RATINGS);
	s->nn = scaled(scale, BASE_NAMES);
	s->np = scaled(scale, BASE_PRINCIPALS);
	if (s->nt < 1 || s->nn < 1)
		die_usage("--scale: value too small (no titles or names)");
	s->nadd = (s->nt * ADD_PER_MILLE + 500) / 1000;
	s->gt = s->nt + snap * s->nadd;
	s->tspan = s->nt * 2 > TITLE_ID_SPAN ? s->nt * 2 : TITLE_ID_SPAN;
	s->nspan = s->nn * 2 > NAME_ID_SPAN ? s->nn * 2 : NAME_ID_SPAN;
	if (tid(s, s->gt - 1) >= ID_LIMIT || nid(s, s->nn - 1) + 1 >= ID_LIMIT)
		die_usage("--snapshot %u at --scale %g needs ids of more than "
		    "8 digits", snap, scale);
	s->t8 = first_8digit(s, tid, s->gt);
	s->n8 = first_8digit(s, nid, s->nn);
}

static uint64_t
share(uint64_t hi, uint64_t lo, uint64_t num, uint64_t den)
{
	return hi * num / den - lo * num / den;
}

/* Mark CNT of the N slots, chosen by a partial shuffle. */
static void
pick(struct rng *r, unsigned n, uint64_t cnt, uint8_t *slot, uint8_t bits,
    int set_type)
{
	unsigned idx[BLOCK], i, j, t;

	for (i = 0; i < n; i++)
		idx[i] = i;
	for (i = 0; i < cnt; i++) {
		j = i + (unsigned)below(r, n - i);
		t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
		if (set_type)
			slot[idx[i]] = (slot[idx[i]] & ~TI_TYPE) | bits;
		else
			slot[idx[i]] |= bits;
	}
}

/* Deal CNT items over N counters at random. */
static void
spread(struct rng *r, unsigned n, uint64_t cnt, uint8_t *v)
{
	uint64_t c;
	unsigned i;

	memset(v, 0, n);
	for (c = 0; c < cnt; c++) {
		i = (unsigned)below(r, n);
		while (v[i] == UINT8_MAX)
			i = (i + 1) % n;
		v[i]++;
	}
}

static void
fill_segment(struct synth *s, unsigned k, uint64_t start, uint64_t len)
{
	uint64_t lo, hi, g;
	unsigned n, i;
	struct rng r;

	for (lo = 0; lo < len; lo += BLOCK) {
		hi = lo + BLOCK < len ? lo + BLOCK : len;
		n = (unsigned)(hi - lo);
		g = start + lo;
		for (i = 0; i < n; i++) {
			r = rng_at(s, S_TYPE, g + i, 0);
			s->tinfo[g + i] = (uint8_t)weighted(&r, type_weight,
			    NTYPES);
		}
		r = rng_at(s, S_BLOCK, k, lo / BLOCK);
		pick(&r, n, share(hi, lo, EPISODE_NUM, EPISODE_DEN),
		    s->tinfo + g, T_TVEPISODE, 1);
		pick(&r, n, share(hi, lo, s->nr, s->nt), s->tinfo + g,
		    TI_RATED, 0);
		spread(&r, n, share(hi, lo, s->np, s->nt), s->npr + g);
		spread(&r, n, share(hi, lo, AKAS_NUM, AKAS_DEN), s->naka + g);
	}
}

static unsigned
ttype(const struct synth *s, uint64_t g)
{
	return s->tinfo[g] & TI_TYPE;
}

static void
build_catalogue(struct synth *s)
{
	uint64_t g;
	unsigned k;

	if ((s->tinfo = malloc(s->gt)) == NULL ||
	    (s->npr = malloc(s->gt)) == NULL ||
	    (s->naka = malloc(s->gt)) == NULL)
		die_sys("malloc");
	fill_segment(s, 0, 0, s->nt);
	for (k = 1; k <= s->snap; k++)
		fill_segment(s, k, s->nt + (k - 1) * s->nadd, s->nadd);
	/* Episodes need a series to belong to. */
	for (g = 0; g < s->nt; g++)
		if (ttype(s, g) == T_TVSERIES || ttype(s, g) == T_TVMINISERIES)
			s->nseries++;
	if (s->nseries == 0) {
		for (g = 0; ttype(s, g) == T_TVEPISODE; g++)
			;
		s->tinfo[g] = (s->tinfo[g] & ~TI_TYPE) | T_TVSERIES;
		s->nseries = 1;
	}
	if ((s->series = malloc(s->nseries * sizeof(*s->series))) == NULL)
		die_sys("malloc");
	s->nseries = 0;
	for (g = 0; g < s->nt; g++)
		if (ttype(s, g) == T_TVSERIES || ttype(s, g) == T_TVMINISERIES)
			s->series[s->nseries++] = (uint32_t)g;
}

/* --- life of a title across snapshots --------------------------------- */

static unsigned
born(const struct synth *s, uint64_t g)
{
	return g < s->nt ? 0 : 1 + (unsigned)((g - s->nt) / s->nadd);
}

/* Series are never removed, so every episode keeps its parent. */
static int
removed_at(const struct synth *s, uint64_t g, unsigned k)
{
	unsigned t = ttype(s, g);

	if (t == T_TVSERIES || t == T_TVMINISERIES || k <= born(s, g))
		return 0;
	return hkey(s, S_RM, g, k) % REMOVE_DEN == 0;
}

static int
live_at(const struct synth *s, uint64_t g, unsigned k)
{
	unsigned j, b = born(s, g);

	if (b > k)
		return 0;
	for (j = b + 1; j <= k; j++)
		if (removed_at(s, g, j))
			return 0;
	return 1;
}

static int
changed_at(const struct synth *s, uint64_t g, unsigned k)
{
	return k > born(s, g) && hkey(s, S_CH, g, k) % CHANGE_DEN == 0 &&
	    live_at(s, g, k);
}

/* --- text ----------------------------------------------------------------- */

static void
b_grow(struct buf *b, size_t n)
{
	while (b->len + n > b->cap)
		b->cap = b->cap ? b->cap * 2 : 1u << 20;
	if ((b->p = realloc(b->p, b->cap)) == NULL)
		die_sys("malloc");
}

static void
b_mem(struct buf *b, const char *s, size_t n)
{
	if (b->len + n > b->cap)
		b_grow(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void
b_str(struct buf *b, const char *s)
{
	b_mem(b, s, strlen(s));
}

static void
b_ch(struct buf *b, char c)
{
	if (b->len + 1 > b->cap)
		b_grow(b, 1);
	b->p[b->len++] = c;
}

static void
b_null(struct buf *b)
{
	b_mem(b, "\\N", 2);
}

/* Decimal with at least WIDTH digits, zero-padded. */
static void
b_num(struct buf *b, uint64_t v, int width)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n < width)
		tmp[sizeof(tmp) - 1 - n++] = '0';
	b_mem(b, tmp + sizeof(tmp) - n, (size_t)n);
}

static void
b_opt(struct buf *b, int v)
{
	if (v < 0)
		b_null(b);
	else
		b_num(b, (uint64_t)v, 1);
}

/* IMDb ids: two letters and at least 7 digits. */
static void
b_id(struct buf *b, const char *prefix, uint64_t id)
{
	b_mem(b, prefix, 2);
	b_num(b, id, 7);
}

static void
b_flush(struct buf *b, struct gzout *out, int force)
{
	if (b->len >= FLUSH_AT || (force && b->len > 0)) {
		gzout_write(out, b->p, b->len);
		b->len = 0;
	}
}

/* Title words into B (no NUL), by SEED alone. */
static void
gen_title(uint64_t seed, unsigned type, struct buf *b)
{
	struct rng r = { seed };
	unsigned nw, i, q, x = (unsigned)below(&r, 1000);

	if (type == T_TVEPISODE && x < 350) {
		b_str(b, "Episode #");
		b_num(b, 1 + below(&r, 20), 1);
		b_ch(b, '.');
		b_num(b, 1 + below(&r, 60), 1);
		return;
	}
	if (type == T_TVEPISODE && x < 450) {
		b_str(b, "Episode dated ");
		b_num(b, 1 + below(&r, 28), 1);
		b_ch(b, ' ');
		b_str(b, PICK(&r, month_name));
		b_ch(b, ' ');
		b_num(b, 1950 + below(&r, 76), 1);
		return;
	}
	x = (unsigned)below(&r, 1000);
	nw = 1 + (x >= 300) + (x >= 650) + (x >= 900);
	q = (unsigned)below(&r, 1000);
	if (q < 8) {		/* "Quoted" Title, as IMDb has */
		b_ch(b, '"');
		b_str(b, PICK(&r, title_word));
		b_ch(b, ' ');
		b_str(b, PICK(&r, title_word));
		b_str(b, "\" ");
		b_str(b, PICK(&r, title_word));
		if (q % 2 == 0) {
			b_str(b, ": ");
			b_str(b, PICK(&r, title_word));
		}
		return;
	}
	if (below(&r, 5) == 0) {
		b_str(b, PICK(&r, the_word));
		b_ch(b, ' ');
	}
	for (i = 0; i < nw; i++) {
		if (i > 0)
			b_ch(b, ' ');
		if (i == 1 && q < 40) {	/* a "quoted" word inside */
			b_ch(b, '"');
			b_str(b, PICK(&r, title_word));
			b_ch(b, '"');
		} else
			b_str(b, PICK(&r, title_word));
	}
	x = (unsigned)below(&r, 100);
	if (x < 3) {
		b_str(b, ": ");
		b_str(b, PICK(&r, title_word));
	} else if (x < 5) {
		b_ch(b, ' ');
		b_num(b, 2 + below(&r, 4), 1);
	}
}

static size_t
title_text(uint64_t seed, unsigned type, char *dst, size_t cap)
{
	char tmp[512];
	struct buf b = { tmp, 0, sizeof(tmp) };

	gen_title(seed, type, &b);
	if (b.len >= cap)
		b.len = cap - 1;
	memcpy(dst, b.p, b.len);
	dst[b.len] = '\0';
	return b.len;
}

/* --- titles --------------------------------------------------------------- */

static int
gen_year(struct rng *r)
{
	unsigned x = (unsigned)below(r, 100000);

	if (x < 8000)
		return -1;
	if (x < 8050)
		return 1 + (int)below(r, 999);	/* IMDb has a few */
	if (x < 25000)
		return 1874 + (int)below(r, 116);
	if (x < 98500)
		return 1990 + (int)below(r, 36);
	return 2026 + (int)below(r, 6);
}

static int
gen_runtime(struct rng *r, unsigned type)
{
	static const unsigned null_pm[NTYPES] = {
		150, 200, 500, 550, 300, 400, 400, 400, 950, 300, 400
	};
	unsigned x = (unsigned)below(r, 1000);

	if (x < null_pm[type])
		return -1;
	if (below(r, 5000) == 0)
		return 1000 + (int)below(r, 50000);
	switch (type) {
	case T_MOVIE:
		return 60 + (int)below(r, 120);
	case T_SHORT:
	case T_TVSHORT:
		return 1 + (int)below(r, 40);
	case T_TVEPISODE:
		return 5 + (int)below(r, 60);
	case T_TVMOVIE:
		return 60 + (int)below(r, 60);
	default:
		return 5 + (int)below(r, 110);
	}
}

static uint32_t
gen_genres(struct rng *r, unsigned type, int adult)
{
	uint32_t m = 0;
	unsigned n, x = (unsigned)below(r, 100);

	if (x < 6)
		return 0;
	n = x < 51 ? 1 : x < 81 ? 2 : 3;
	if (type == T_SHORT && below(r, 10) < 7)
		m |= 1u << G_SHORT;
	if (adult)
		m |= 1u << G_ADULT;
	while ((unsigned)__builtin_popcount(m) < n) {
		x = (unsigned)below(r, NGENRES);
		if (x != G_ADULT)
			m |= 1u << x;
	}
	return m;
}

static void
base_title(const struct synth *s, uint64_t g, struct title *t)
{
	struct rng r = rng_at(s, S_TITLE, g, 0);

	t->type = ttype(s, g);
	t->adult = t->type != T_TVEPISODE && below(&r, 1000) < 15;
	t->start = gen_year(&r);
	t->end = -1;
	if ((t->type == T_TVSERIES || t->type == T_TVMINISERIES) &&
	    t->start >= 1874 && below(&r, 100) < 45) {
		t->end = t->start + (int)below(&r, 20);
		if (t->end > 2031)
			t->end = 2031;
	}
	t->runtime = gen_runtime(&r, t->type);
	t->genres = gen_genres(&r, t->type, t->adult);
	t->pseed = next(&r);
	t->oseed = below(&r, 10) == 0 ? next(&r) : t->pseed;
}

/* One change at snapshot K: primaryTitle, runtime or genres, always a real one. */
static void
change_title(const struct synth *s, uint64_t g, unsigned k, struct title *t)
{
	uint64_t h = hkey(s, S_CHKIND, g, k), seed;
	unsigned x;
	char was[256], now[256];

	switch (h % 3) {
	case 0:
		title_text(t->pseed, t->type, was, sizeof(was));
		seed = hkey(s, S_CHNAME, g, k);
		for (;;) {
			title_text(seed, t->type, now, sizeof(now));
			if (strcmp(was, now) != 0)
				break;
			seed = mix64(seed + 1);
		}
		t->pseed = seed;
		break;
	case 1:
		if (t->runtime < 0)
			t->runtime = 10 + (int)((h >> 8) % 110);
		else
			t->runtime += 1 + (int)((h >> 8) % 15);
		break;
	default:
		if (__builtin_popcount(t->genres) >= 3) {
			t->genres &= t->genres - 1;	/* drop the first */
			break;
		}
		x = (unsigned)((h >> 8) % NGENRES);
		while (t->genres & (1u << x))
			x = (x + 1) % NGENRES;
		t->genres |= 1u << x;
		break;
	}
}

static void
title_at(const struct synth *s, uint64_t g, unsigned k, struct title *t)
{
	unsigned j;

	base_title(s, g, t);
	for (j = born(s, g) + 1; j <= k; j++)
		if (changed_at(s, g, j))
			change_title(s, g, j, t);
	t->plen = title_text(t->pseed, t->type, t->primary,
	    sizeof(t->primary));
	t->olen = title_text(t->oseed, t->type, t->original,
	    sizeof(t->original));
}

/* --- ratings -------------------------------------------------------------- */

static void
base_rating(const struct synth *s, uint64_t g, struct rating *rt)
{
	struct rng r = rng_at(s, S_RATE, g, 0);
	double x, v;

	x = unit(&r) + unit(&r) + unit(&r) + unit(&r) - 2.0;
	x = 6.9 + 1.25 * 1.7320508 * x;
	rt->tenths = x < 1.0 ? 10 : x > 10.0 ? 100 : (unsigned)(x * 10 + 0.5);
	/* Pareto with alpha 0.8 above 5: median ~12, a few above a million. */
	v = 5.0 / pow(unit(&r), 1.25);
	rt->votes = v > 3.0e6 ? 3000000 : (uint64_t)v;
}

/* Movement between snapshot K-1 and K: *up / *down / *rchg say what moved. */
static void
rating_step(const struct synth *s, uint64_t g, unsigned k, struct rating *rt,
    int *up, int *down, int *rchg)
{
	uint64_t h = hkey(s, S_RSTEP, g, k), v = rt->votes, d;
	unsigned x = (unsigned)(h % 100), y = (unsigned)((h >> 20) % 100);
	int delta;

	*up = *down = *rchg = 0;
	if (x < 70) {
		rt->votes = v + 1 + v * ((h >> 8) % 50) / 1000;
		*up = 1;
	} else if (x < 73 && v > 5) {
		d = 1 + v * ((h >> 8) % 30) / 1000;
		rt->votes = v - d < 5 || d > v ? 5 : v - d;
		*down = 1;
	}
	if (y < 10) {
		delta = 1 + (int)((h >> 30) % 3);
		if ((h >> 40) & 1)
			delta = -delta;
		if ((int)rt->tenths + delta < 10 ||
		    (int)rt->tenths + delta > 100)
			delta = -delta;
		rt->tenths = (unsigned)((int)rt->tenths + delta);
		*rchg = 1;
	}
}

static void
rating_at(const struct synth *s, uint64_t g, unsigned k, struct rating *rt)
{
	unsigned j;
	int up, down, rchg;

	base_rating(s, g, rt);
	for (j = born(s, g) + 1; j <= k; j++)
		rating_step(s, g, j, rt, &up, &down, &rchg);
}

/* --- file order ----------------------------------------------------------- */

/*
 * IMDb sorts every file by its key as text (byte order): "tt10000000" comes
 * before "tt1000001" and tt9916880 is the last row of title.basics.  Ids
 * increase with the index, so the order is a merge of the 7-digit run and
 * the 8-digit run: 7-digit id v against 8-digit id w compares v*10 with w,
 * the shorter first when equal (it is a prefix).
 */
static void
order_init(struct order *o, uint64_t n8, uint64_t n,
    uint64_t (*id)(const struct synth *, uint64_t))
{
	o->a = 0;
	o->aend = n8;
	o->b = n8;
	o->bend = n;
	o->id = id;
}

static int
order_next(const struct synth *s, struct order *o, uint64_t *idx)
{
	if (o->a < o->aend && (o->b >= o->bend ||
	    o->id(s, o->a) * 10 <= o->id(s, o->b))) {
		*idx = o->a++;
		return 1;
	}
	if (o->b < o->bend) {
		*idx = o->b++;
		return 1;
	}
	return 0;
}

/* --- people ------------------------------------------------------------- */

/* Most credits go to a few people: half uniform, half skewed to old ids. */
static uint64_t
pick_person(const struct synth *s, struct rng *r)
{
	double u;

	if (next(r) & 1)
		return below(r, s->nn);
	u = unit(r);
	return (uint64_t)((double)s->nn * u * u * u) % s->nn;
}

static void
b_person_list(const struct synth *s, struct buf *b, struct rng *r,
    unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			b_ch(b, ',');
		b_id(b, "nm", nid(s, pick_person(s, r)));
	}
}

static void
b_person_name(struct buf *b, struct rng *r)
{
	unsigned x = (unsigned)below(r, 100);

	if (x == 0) {
		b_str(b, PICK(r, last_name));
		return;
	}
	b_str(b, PICK(r, first_name));
	b_ch(b, ' ');
	if (x < 6) {
		b_ch(b, (char)('A' + below(r, 26)));
		b_str(b, ". ");
	}
	b_str(b, PICK(r, last_name));
}

/* --- the seven files -------------------------------------------------------- */

static uint64_t
gen_names(const struct synth *s, struct gzout *out, struct buf *b)
{
	struct order o;
	struct rng r;
	uint64_t j, rows = 0;
	unsigned i, n, used;
	int birth, death;

	order_init(&o, s->n8, s->nn, nid);
	while (order_next(s, &o, &j)) {
		r = rng_at(s, S_NAME, j, 0);
		b_id(b, "nm", nid(s, j));
		b_ch(b, '\t');
		b_person_name(b, &r);
		birth = below(&r, 100) < 25 ? 1850 + (int)below(&r, 160) : -1;
		death = -1;
		if (birth >= 0 && birth < 1950 && below(&r, 2))
			death = birth + 20 + (int)below(&r, 80);
		else if (birth < 0 && below(&r, 100) == 0)
			death = 1900 + (int)below(&r, 125);
		if (death > 2025)
			death = 2025;
		b_ch(b, '\t');
		b_opt(b, birth);
		b_ch(b, '\t');
		b_opt(b, death);
		b_ch(b, '\t');
		if (below(&r, 100) < 8)
			b_null(b);
		else {
			n = 1 + (unsigned)below(&r, 3);
			used = 0;
			for (i = 0; i < n; i++) {
				unsigned p = (unsigned)below(&r,
				    NELEM(profession));

				if (used & (1u << (p % 32)))
					continue;
				used |= 1u << (p % 32);
				if (i > 0 && b->p[b->len - 1] != '\t')
					b_ch(b, ',');
				b_str(b, profession[p]);
			}
		}
		b_ch(b, '\t');
		if (below(&r, 100) < 12)
			b_null(b);
		else {
			n = 1 + (unsigned)below(&r, 4);
			for (i = 0; i < n; i++) {
				if (i > 0)
					b_ch(b, ',');
				b_id(b, "tt", tid(s, below(&r, s->nt)));
			}
		}
		b_ch(b, '\n');
		rows++;
		b_flush(b, out, 0);
	}
	return rows;
}

static void
b_title_row(struct buf *b, const struct title *t, uint64_t id)
{
	uint32_t m;
	int first = 1, i;

	b_id(b, "tt", id);
	b_ch(b, '\t');
	b_str(b, type_name[t->type]);
	b_ch(b, '\t');
	b_mem(b, t->primary, t->plen);
	b_ch(b, '\t');
	b_mem(b, t->original, t->olen);
	b_ch(b, '\t');
	b_ch(b, t->adult ? '1' : '0');
	b_ch(b, '\t');
	b_opt(b, t->start);
	b_ch(b, '\t');
	b_opt(b, t->end);
	b_ch(b, '\t');
	b_opt(b, t->runtime);
	b_ch(b, '\t');
	if ((m = t->genres) == 0)
		b_null(b);
	for (i = 0; i < NGENRES; i++) {
		if (!(m & (1u << i)))
			continue;
		if (!first)
			b_ch(b, ',');
		b_str(b, genre_name[i]);
		first = 0;
	}
	b_ch(b, '\n');
}

static void
b_aka_row(const struct synth *s, struct buf *b, uint64_t g, unsigned o,
    const struct title *t)
{
	struct rng r = rng_at(s, S_AKA, g, o);
	unsigned x;

	b_id(b, "tt", tid(s, g));
	b_ch(b, '\t');
	b_num(b, o, 1);
	b_ch(b, '\t');
	if (o == 1) {
		b_mem(b, t->original, t->olen);
		b_str(b, "\t\\N\t\\N\toriginal\t\\N\t1\n");
		return;
	}
	x = (unsigned)below(&r, 100);
	if (x < 55)
		b_mem(b, t->primary, t->plen);
	else
		gen_title(next(&r), t->type, b);
	b_ch(b, '\t');
	if (below(&r, 100) < 6)
		b_null(b);
	else
		b_str(b, PICK(&r, region));
	b_ch(b, '\t');
	if (below(&r, 100) < 80)
		b_null(b);
	else
		b_str(b, PICK(&r, language));
	b_ch(b, '\t');
	x = (unsigned)below(&r, 100);
	if (x < 60)
		b_str(b, "imdbDisplay");
	else if (x < 85)
		b_null(b);
	else
		b_str(b, PICK(&r, aka_type));
	b_ch(b, '\t');
	if (below(&r, 100) < 90)
		b_null(b);
	else
		b_str(b, PICK(&r, aka_attr));
	b_str(b, "\t0\n");
}

static void
b_crew_row(const struct synth *s, struct buf *b, uint64_t g)
{
	struct rng r = rng_at(s, S_CREW, g, 0);
	unsigned t = ttype(s, g), x;
	int series = t == T_TVSERIES || t == T_TVMINISERIES;

	b_id(b, "tt", tid(s, g));
	b_ch(b, '\t');
	x = (unsigned)below(&r, 1000);
	/* Long-running series credit hundreds: fields beyond 5,000 bytes. */
	if (series && x < 10)
		b_person_list(s, b, &r, 500 + (unsigned)below(&r, 400));
	else if (x < (t == T_TVEPISODE ? 350u : 250u))
		b_null(b);
	else
		b_person_list(s, b, &r, x < 900 ? 1 : x < 980 ? 2 : 3);
	b_ch(b, '\t');
	x = (unsigned)below(&r, 1000);
	if (series && x < 30)
		b_person_list(s, b, &r, 500 + (unsigned)below(&r, 1000));
	else if (x < 420)
		b_null(b);
	else
		b_person_list(s, b, &r, 1 + (unsigned)below(&r, 4));
	b_ch(b, '\n');
}

static void
b_episode_row(const struct synth *s, struct buf *b, uint64_t g)
{
	struct rng r = rng_at(s, S_EPISODE, g, 0);
	double u = unit(&r);
	uint64_t p = (uint64_t)((double)s->nseries * u * u) % s->nseries;

	b_id(b, "tt", tid(s, g));
	b_ch(b, '\t');
	b_id(b, "tt", tid(s, s->series[p]));
	if (below(&r, 100) < 20) {
		b_str(b, "\t\\N\t\\N\n");
		return;
	}
	u = unit(&r);
	b_ch(b, '\t');
	b_num(b, 1 + (uint64_t)(30 * u * u * u * u), 1);
	b_ch(b, '\t');
	u = unit(&r);
	if (below(&r, 200) == 0)
		b_num(b, 1000 + below(&r, 9000), 1);	/* daily shows */
	else
		b_num(b, 1 + (uint64_t)(200 * u * u * u), 1);
	b_ch(b, '\n');
}

static void
b_characters(struct buf *b, struct rng *r, unsigned cat)
{
	unsigned x = (unsigned)below(r, 100);

	if (cat == C_SELF || cat == C_ARCHIVE_FOOTAGE) {
		if (x < 20)
			b_null(b);
		else if (x < 85)
			b_str(b, "[\"Self\"]");
		else if (x < 93)
			b_str(b, "[\"Self - Host\"]");
		else
			b_str(b, "[\"Self - Guest\"]");
		return;
	}
	if (x < 8) {
		b_null(b);
		return;
	}
	b_str(b, "[\"");
	if (x < 50)
		b_person_name(b, r);
	else if (x < 80)
		b_str(b, PICK(r, title_word));
	else if (x < 90) {
		b_person_name(b, r);
		b_str(b, "\",\"");
		b_str(b, PICK(r, title_word));
	} else {
		b_str(b, PICK(r, first_name));
		b_str(b, " \\\"");
		b_str(b, PICK(r, title_word));
		b_str(b, "\\\" ");
		b_str(b, PICK(r, last_name));
	}
	b_str(b, "\"]");
}

static void
b_job(struct buf *b, struct rng *r, unsigned cat)
{
	unsigned x = (unsigned)below(r, 100);

	switch (cat) {
	case C_WRITER:
		if (x < 40)
			b_null(b);
		else if (x < 85)
			b_str(b, PICK(r, writer_job));
		else {
			b_str(b, x < 93 ? "novel \"" : "play \"");
			b_str(b, PICK(r, title_word));
			b_ch(b, '"');
		}
		return;
	case C_PRODUCER:
		b_str(b, x < 60 ? "producer" : x < 85 ? "executive producer" :
		    x < 95 ? "co-producer" : "associate producer");
		return;
	case C_CINEMATOGRAPHER:
		if (x < 50)
			b_str(b, "director of photography");
		else
			b_null(b);
		return;
	case C_DIRECTOR:
		if (x < 4)
			b_str(b, "co-director");
		else
			b_null(b);
		return;
	case C_EDITOR:
		if (x < 10)
			b_str(b, "film editor");
		else
			b_null(b);
		return;
	default:
		b_null(b);
	}
}

static uint64_t
b_principal_row(const struct synth *s, struct buf *b, uint64_t g,
    uint64_t id, unsigned o)
{
	struct rng r = rng_at(s, S_PR, g, o);
	unsigned cat = weighted(&r, cat_weight, NCATS);
	uint64_t person = nid(s, pick_person(s, &r));
	int dangling = hkey(s, S_DANG, g, o) % DANGLING_DEN == 0;

	b_id(b, "tt", id);
	b_ch(b, '\t');
	b_num(b, o, 1);
	b_ch(b, '\t');
	/* The id after a person's is never a person's: see spaced_id. */
	b_id(b, "nm", person + dangling);
	b_ch(b, '\t');
	b_str(b, cat_name[cat]);
	b_ch(b, '\t');
	b_job(b, &r, cat);
	b_ch(b, '\t');
	if (cat <= C_SELF || cat == C_ARCHIVE_FOOTAGE)
		b_characters(b, &r, cat);
	else
		b_null(b);
	b_ch(b, '\n');
	return (uint64_t)dangling;
}

static uint64_t
gen_titles(const struct synth *s, int f, struct gzout *out, struct buf *b)
{
	struct order o;
	struct title t;
	struct rating rt;
	uint64_t g, id, rows = 0;
	unsigned i;

	order_init(&o, s->t8, s->gt, tid);
	while (order_next(s, &o, &g)) {
		if (!live_at(s, g, s->snap))
			continue;
		id = tid(s, g);
		switch (f) {
		case F_BASICS:
			title_at(s, g, s->snap, &t);
			b_title_row(b, &t, id);
			rows++;
			break;
		case F_AKAS:
			if (s->naka[g] == 0)
				break;
			title_at(s, g, s->snap, &t);
			for (i = 1; i <= s->naka[g]; i++)
				b_aka_row(s, b, g, i, &t);
			rows += s->naka[g];
			break;
		case F_CREW:
			b_crew_row(s, b, g);
			rows++;
			break;
		case F_EPISODE:
			if (ttype(s, g) != T_TVEPISODE)
				break;
			b_episode_row(s, b, g);
			rows++;
			break;
		case F_PRINCIPALS:
			for (i = 1; i <= s->npr[g]; i++)
				b_principal_row(s, b, g, id, i);
			rows += s->npr[g];
			break;
		case F_RATINGS:
			if (!(s->tinfo[g] & TI_RATED))
				break;
			rating_at(s, g, s->snap, &rt);
			b_id(b, "tt", id);
			b_ch(b, '\t');
			b_num(b, rt.tenths / 10, 1);
			b_ch(b, '.');
			b_num(b, rt.tenths % 10, 1);
			b_ch(b, '\t');
			b_num(b, rt.votes, 1);
			b_ch(b, '\n');
			rows++;
			break;
		}
		b_flush(b, out, 0);
	}
	return rows;
}

static void
write_file(const struct synth *s, int f, struct gzout *out, uint64_t *rows)
{
	struct buf b = { NULL, 0, 0 };

	b_str(&b, file_header[f]);
	if (f == F_NAME)
		*rows = gen_names(s, out, &b);
	else
		*rows = gen_titles(s, f, out, &b);
	b_flush(&b, out, 1);
	gzout_finish(out);
	free(b.p);
}

/* --- processes ------------------------------------------------------------ */

/*
 * One child per file, at most JOBS at a time.  Children only write and
 * close their temporary files; out.c's record of them is the parent's, and
 * renames them at the parent's exit only if every child succeeded and the
 * rest of the run (SYNTH.tsv, --stats) did too, so a failed run leaves no
 * file behind.
 */
static int
run_jobs(const struct synth *s, struct gzout **out, const int *sel, int nsel,
    int jobs, uint64_t *rows)
{
	pid_t pid[NFILES], parent = getpid();
	int next_job = 0, running = 0, failed = 0, status, i;
	pid_t w;

	for (i = 0; i < NFILES; i++)
		pid[i] = -1;

	fflush(NULL);
	while (next_job < nsel || running > 0) {
		while (!failed && next_job < nsel && running < jobs) {
			int f = sel[next_job];

			if ((pid[next_job] = fork()) == -1)
				die_sys("fork");
			if (pid[next_job] == 0) {
				/*
				 * A signalled parent removes the temporaries
				 * and dies; stop with it rather than write
				 * on into an unlinked file.
				 */
				if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 ||
				    getppid() != parent)
					_exit(EXIT_DATA);
				write_file(s, f, out[f], &rows[f]);
				_exit(0);
			}
			next_job++;
			running++;
		}
		if (running == 0)
			break;
		if ((w = wait(&status)) == -1) {
			if (errno == EINTR)
				continue;
			die_sys("wait");
		}
		running--;
		for (i = 0; i < next_job; i++)
			if (pid[i] == w)
				pid[i] = -1;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			/* The others' work is lost anyway: stop them now. */
			if (!failed)
				for (i = 0; i < next_job; i++)
					if (pid[i] != -1)
						kill(pid[i], SIGTERM);
			failed = 1;
		}
	}
	return failed;
}

/* --- counts ------------------------------------------------------------- */

static void
count_title(const struct synth *s, uint64_t g, struct census *c)
{
	unsigned k = s->snap, b = born(s, g), i;
	int live = live_at(s, g, k), rated = s->tinfo[g] & TI_RATED;
	int up, down, rchg;
	struct rating rt;

	if (live) {
		c->rows[F_BASICS]++;
		c->rows[F_CREW]++;
		c->rows[F_AKAS] += s->naka[g];
		c->rows[F_PRINCIPALS] += s->npr[g];
		c->rows[F_EPISODE] += ttype(s, g) == T_TVEPISODE;
		c->rows[F_RATINGS] += rated != 0;
		for (i = 1; i <= s->npr[g]; i++)
			c->m[M_DANGLING] +=
			    hkey(s, S_DANG, g, i) % DANGLING_DEN == 0;
	}
	if (k == 0)
		return;
	if (live && b == k) {
		c->m[M_TITLES_ADDED]++;
		c->m[M_RATINGS_ADDED] += rated != 0;
	}
	if (removed_at(s, g, k) && live_at(s, g, k - 1)) {
		c->m[M_TITLES_REMOVED]++;
		c->m[M_RATINGS_REMOVED] += rated != 0;
	}
	c->m[M_TITLES_CHANGED] += changed_at(s, g, k);
	if (live && rated && b < k) {
		rating_at(s, g, k - 1, &rt);
		rating_step(s, g, k, &rt, &up, &down, &rchg);
		c->m[M_VOTES_UP] += up;
		c->m[M_VOTES_DOWN] += down;
		c->m[M_RATING_CHANGED] += rchg;
	}
}

static void
take_census(const struct synth *s, struct census *c)
{
	uint64_t g;

	memset(c, 0, sizeof(*c));
	c->rows[F_NAME] = s->nn;
	for (g = 0; g < s->gt; g++)
		count_title(s, g, c);
}

static void
write_manifest(const char *dir, const struct synth *s, const struct census *c,
    const char *scale, const char *date, const char *stats_path, int verbose)
{
	struct stats st = { NULL, 0, 0 };
	struct gzout *out;
	char path[4096], line[256];
	size_t i;
	int f, m;

	stats_str(&st, "scale", "%s", scale);
	stats_u64(&st, "seed", s->seed);
	stats_u64(&st, "snapshot", s->snap);
	stats_str(&st, "snapshot_date", "%s", date);
	for (f = 0; f < NFILES; f++) {
		snprintf(line, sizeof(line), "rows_%s", file_name[f]);
		stats_u64(&st, line, c->rows[f]);
	}
	for (m = 0; m < NMETRICS; m++)
		stats_u64(&st, metric_name[m], c->m[m]);
	stats_u64(&st, "max_tconst_id", tid(s, s->gt - 1));
	stats_u64(&st, "max_nconst_id", nid(s, s->nn - 1));

	snprintf(path, sizeof(path), "%s/SYNTH.tsv", dir);
	out = gzout_open(path, GZOUT_PLAIN);
	gzout_write(out, "metric\tvalue\n", 13);
	for (i = 0; i < st.n; i++) {
		int n = snprintf(line, sizeof(line), "%s\t%s\n",
		    st.rows[i].metric, st.rows[i].value);

		gzout_write(out, line, (size_t)n);
		if (verbose)
			fprintf(stderr, "%s: %s", progname, line);
	}
	gzout_close(out);
	stats_write(&st, stats_path);
}

/* --- arguments ------------------------------------------------------------ */

static unsigned
parse_files(const char *list)
{
	const char *p = list, *e;
	unsigned mask = 0;
	size_t n;
	int f;

	for (;;) {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		for (f = 0; f < NFILES; f++)
			if (strlen(file_name[f]) == n &&
			    memcmp(file_name[f], p, n) == 0)
				break;
		if (f == NFILES)
			die_usage("--files: unknown file '%.*s' (expected "
			    "name.basics, title.akas, title.basics, title.crew, "
			    "title.episode, title.principals or title.ratings)",
			    (int)n, p);
		mask |= 1u << f;
		if (e == NULL)
			return mask;
		p = e + 1;
	}
}

static int
leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(long y, int m)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return days[m - 1] + (m == 2 && leap(y));
}

static void
check_date(const char *d)
{
	int i, m, day;

	for (i = 0; i < 10; i++)
		if ((i == 4 || i == 7) ? d[i] != '-' :
		    (d[i] < '0' || d[i] > '9'))
			break;
	if (i < 10 || d[10] != '\0')
		die_usage("--date: invalid value '%s' (expected YYYY-MM-DD)",
		    d);
	m = (d[5] - '0') * 10 + d[6] - '0';
	day = (d[8] - '0') * 10 + d[9] - '0';
	if (m < 1 || m > 12 || day < 1 ||
	    day > month_days(strtol(d, NULL, 10), m))
		die_usage("--date: invalid value '%s' (no such day)", d);
}

/* The base is DEFAULT_DATE; snapshot K comes K weeks later. */
static void
default_date(char *dst, size_t n, unsigned k)
{
	long y = 2025, days = 7L * k;
	int m = 8, d = 13;

	while (days-- > 0) {
		if (++d > month_days(y, m)) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	snprintf(dst, n, "%04ld-%02d-%02d", y, m, d);
}

static void
make_dir(const char *dir)
{
	struct stat sb;

	if (mkdir(dir, 0777) == -1 && errno != EEXIST)
		die_sys("%s", dir);
	if (stat(dir, &sb) == -1)
		die_sys("%s", dir);
	if (!S_ISDIR(sb.st_mode)) {
		errno = ENOTDIR;
		die_sys("%s", dir);
	}
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-v] [-j jobs] [-o dir] [--date YYYY-MM-DD] "
	    "[--files list] [--plain]\n"
	    "                  [--scale S] [--seed N] [--snapshot K] "
	    "[--stats file]\n", progname);
}
