/*
 * fuzz_rt.c - the fuzz runtime (see fuzz_rt.h).  Compiled without the
 * -D renames, so malloc and exit here are libc's.  Allocations of the code
 * under test are kept in a pointer set; fuzz_rt_end frees what is left, so
 * a run that dies (exit -> longjmp) does not leak into the next one.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_rt.h"
#include "out.h"

jmp_buf	fuzz_jmp;
int	fuzz_status;

static void	quiet_stderr(void);
static void	restore_stderr(void);

/* ---- a set of live pointers: open addressing, tombstones, grown x2 ---- */
#define TOMB	((void *)1)
static void	**set;
static size_t	  set_cap, set_used;	/* used: live + tombstones */

static size_t
slot_of(void *p, size_t cap)
{
	uintptr_t h = (uintptr_t)p;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ull;
	return (h >> 20) & (cap - 1);
}

static void set_add(void *p);

static void
set_grow(void)
{
	void **old = set;
	size_t i, oldcap = set_cap;

	set_cap = set_cap ? set_cap * 2 : 4096;
	if ((set = calloc(set_cap, sizeof(*set))) == NULL)
		abort();
	set_used = 0;
	for (i = 0; i < oldcap; i++)
		if (old[i] != NULL && old[i] != TOMB)
			set_add(old[i]);
	free(old);
}

static void
set_add(void *p)
{
	size_t i;

	if (p == NULL)
		return;
	if ((set_used + 1) * 2 > set_cap)
		set_grow();
	for (i = slot_of(p, set_cap); set[i] != NULL && set[i] != TOMB; i = (i + 1) & (set_cap - 1))
		;
	if (set[i] == NULL)
		set_used++;
	set[i] = p;
}

/* 1 when P was in the set (and is no longer). */
static int
set_del(void *p)
{
	size_t i;

	if (set_cap == 0 || p == NULL)
		return 0;
	for (i = slot_of(p, set_cap); set[i] != NULL; i = (i + 1) & (set_cap - 1))
		if (set[i] == p) {
			set[i] = TOMB;
			return 1;
		}
	return 0;
}

void *
fuzz_malloc(size_t n)
{
	void *p = malloc(n);

	set_add(p);
	return p;
}

void *
fuzz_calloc(size_t n, size_t m)
{
	void *p = calloc(n, m);

	set_add(p);
	return p;
}

void *
fuzz_realloc(void *old, size_t n)
{
	void *p;

	set_del(old);
	p = realloc(old, n);
	if (p == NULL && old != NULL && n != 0)
		set_add(old);	/* still the caller's */
	set_add(p);
	return p;
}

char *
fuzz_strdup(const char *s)
{
	char *p = strdup(s);

	set_add(p);
	return p;
}

void
fuzz_free(void *p)
{
	set_del(p);	/* also libc's own (vasprintf...): freed all the same */
	free(p);
}

__attribute__((noreturn)) void
fuzz_exit(int status)
{
	fflush(stdout);
	fuzz_status = status;
	longjmp(fuzz_jmp, 1);
}

/* ---- descriptors the run opened ---- */
static unsigned char open_before[1024];

static void
scan_fds(unsigned char *mark)
{
	DIR *d;
	struct dirent *e;
	int fd;

	memset(mark, 0, 1024);
	if ((d = opendir("/proc/self/fd")) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		fd = atoi(e->d_name);
		if (fd >= 0 && fd < 1024 && e->d_name[0] != '.')
			mark[fd] = 1;
	}
	closedir(d);
	/* the directory's own descriptor counts as not open afterwards */
}

void
fuzz_rt_begin(void)
{
	quiet_stderr();
	scan_fds(open_before);
	fuzz_status = 0;
}

void
fuzz_rt_end(void)
{
	unsigned char now[1024];
	size_t i;
	int fd;

	out_forget();	/* its records of the run's outputs are freed below */
	for (i = 0; i < set_cap; i++)
		if (set[i] != NULL && set[i] != TOMB) {
			free(set[i]);
			set[i] = NULL;
		}
	memset(set, 0, set_cap * sizeof(*set));
	set_used = 0;
	scan_fds(now);
	for (fd = 3; fd < 1024; fd++)
		if (now[fd] && !open_before[fd])
			close(fd);
	restore_stderr();
}

const char *
fuzz_file(int slot, const uint8_t *data, size_t n)
{
	static char paths[4][64];
	int fd;

	if (paths[slot][0] == '\0') {
		snprintf(paths[slot], sizeof(paths[slot]), "/tmp/p07-fuzz-%d-%d.XXXXXX",
		    (int)getpid(), slot);
		if ((fd = mkstemp(paths[slot])) == -1)
			abort();
		close(fd);
	}
	if ((fd = open(paths[slot], O_WRONLY | O_TRUNC)) == -1)
		abort();
	if (n > 0 && write(fd, data, n) != (ssize_t)n)
		abort();
	close(fd);
	return paths[slot];
}

/*
 * The code under test writes its messages to fd 2 (expected: most inputs
 * are bad).  During a run fd 2 is /dev/null unless FUZZ_VERBOSE is set;
 * replay a crasher with FUZZ_VERBOSE=1 to see the sanitizer's report.
 */
static int saved_stderr = -1;

static void
quiet_stderr(void)
{
	static int devnull = -1, verbose = -1;

	if (verbose == -1)
		verbose = getenv("FUZZ_VERBOSE") != NULL;
	if (verbose)
		return;
	if (devnull == -1 && (devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1)
		return;
	if (saved_stderr == -1)
		saved_stderr = fcntl(2, F_DUPFD_CLOEXEC, 100);
	fflush(stderr);
	dup2(devnull, 2);
}

static void
restore_stderr(void)
{
	if (saved_stderr != -1) {
		fflush(stderr);
		dup2(saved_stderr, 2);
	}
}
