/*
 * out.c - the output side of every tool: one large buffer, write(2) checked,
 * a temporary file for each named output, all renamed into place together at
 * exit when every output was closed whole, all removed when the run dies or
 * is signalled.  A closed pipe ends the tool quietly.  It never decides what
 * a tool writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"
#include "out.h"
#include "pipewide.h"

#define OUT_BUFSIZE	(1 << 20)
#define MAX_HOPS	40	/* symlinks followed, as the kernel's limit */

/*
 * Every output out_open made, in order: a named one has its temporary
 * until the exit handler renames it (every output closed) or removes it.
 * The list is only appended to, a node complete before it is linked, so
 * the signal handler can walk it at any time.
 */
struct run {
	struct run	*next;
	char		*tmp;		/* NULL: stdout, or written in place */
	char		*target;	/* what tmp replaces (a link's target) */
	char		*name;		/* the name given, for messages */
	volatile sig_atomic_t closed;
};

static struct run *runs, **runs_tail = &runs;
static pid_t owner;	/* a forked child leaves the parent's files alone */

static void
remove_temps(void)
{
	struct run *r;

	if (getpid() != owner)
		return;
	for (r = runs; r != NULL; r = r->next)
		if (r->tmp != NULL)
			unlink(r->tmp);
}

static void
on_signal(int sig)
{
	remove_temps();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * At exit: all outputs closed whole, so rename every temporary into place;
 * else remove them all.  The renames are the last step; one can only fail
 * if the directory changed under the run, and then the ones before it stay.
 */
static void
commit_at_exit(void)
{
	struct run *r;

	if (getpid() != owner)
		return;
	for (r = runs; r != NULL; r = r->next)
		if (!r->closed) {
			remove_temps();
			return;
		}
	for (r = runs; r != NULL; r = r->next) {
		if (r->tmp == NULL)
			continue;
		if (rename(r->tmp, r->target) == -1) {
			warnmsg("%s: cannot rename into place: %s", r->name,
			    strerror(errno));
			for (; r != NULL; r = r->next)
				if (r->tmp != NULL)
					unlink(r->tmp);
			fflush(NULL);
			_exit(EXIT_DATA);
		}
		r->tmp = NULL;
	}
}

static struct run *
track(char *tmp, char *target, const char *name)
{
	static int installed;
	struct run *r;

	if (!installed) {
		owner = getpid();
		atexit(commit_at_exit);
		installed = 1;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->name = strdup(name)) == NULL)
		die_sys("out of memory");
	r->tmp = tmp;
	r->target = target;
	*runs_tail = r;
	runs_tail = &r->next;
	return r;
}

static void
catch_signals(void)
{
	static int installed;
	struct sigaction sa;
	int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	size_t i;

	if (installed)
		return;
	installed = 1;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], NULL, &sa) == 0 &&
		    sa.sa_handler != SIG_IGN)	/* nohup stays nohup */
			signal(sigs[i], on_signal);
}

void
out_forget(void)
{
	runs = NULL;
	runs_tail = &runs;
}

/* The kernel's own names for descriptors: never replaced, written in place. */
static int
is_fd_name(const char *p)
{
	return strncmp(p, "/proc/", 6) == 0 || strncmp(p, "/dev/fd/", 8) == 0 ||
	    strcmp(p, "/dev/stdout") == 0 || strcmp(p, "/dev/stderr") == 0;
}

/* The contents of the symlink P, joined to P's directory when relative. */
static char *
link_target(const char *p)
{
	char *buf = NULL, *joined;
	const char *slash;
	size_t cap = 256;
	ssize_t n;

	for (;;) {
		if ((buf = realloc(buf, cap)) == NULL)
			die_sys("out of memory");
		if ((n = readlink(p, buf, cap)) == -1)
			return NULL;
		if ((size_t)n < cap)
			break;
		cap *= 2;
	}
	buf[n] = '\0';
	if (buf[0] == '/' || (slash = strrchr(p, '/')) == NULL)
		return buf;
	if (asprintf(&joined, "%.*s/%s", (int)(slash - p), p, buf) == -1)
		die_sys("out of memory");
	free(buf);
	return joined;
}

/*
 * Where the bytes for PATH go: the end of its chain of symlinks (PATH
 * itself if it is none), with *st its lstat and *exists.  NULL: write PATH
 * in place (a name for a descriptor, a loop, an unreadable link).
 */
static char *
resolve(const char *path, struct stat *st, int *exists)
{
	char *cur, *next;
	int hops;

	if ((cur = strdup(path)) == NULL)
		die_sys("out of memory");
	for (hops = 0; ; hops++) {
		if (is_fd_name(cur) || hops > MAX_HOPS)
			break;
		if (lstat(cur, st) == -1) {
			/* a new name; mkstemp says why if it cannot be */
			*exists = 0;
			return cur;
		}
		if (!S_ISLNK(st->st_mode)) {
			*exists = 1;
			return cur;
		}
		if ((next = link_target(cur)) == NULL)
			break;
		free(cur);
		cur = next;
	}
	free(cur);
	return NULL;
}

static void
open_in_place(struct out *o, const char *path)
{
	if (strcmp(path, "/dev/stdout") == 0)
		o->fd = dup(STDOUT_FILENO);
	else if (strcmp(path, "/dev/stderr") == 0)
		o->fd = dup(STDERR_FILENO);
	else
		o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (o->fd == -1)
		die_sys("%s", path);
	o->run = track(NULL, NULL, path);
}

void
out_open(struct out *o, const char *path)
{
	struct stat st;
	mode_t mode;
	char *target;
	int exists;

	memset(o, 0, sizeof(*o));
	o->cap = OUT_BUFSIZE;
	if ((o->buf = malloc(o->cap)) == NULL)
		die_sys("out of memory");
	if (path == NULL || strcmp(path, "-") == 0) {
		o->fd = STDOUT_FILENO;
		o->run = track(NULL, NULL, "stdout");
		pipe_widen(o->fd);
		return;
	}
	if ((o->path = strdup(path)) == NULL)
		die_sys("out of memory");
	/*
	 * Only a regular file (or a new name) gets the temporary and the
	 * rename: renaming over /dev/stdout, /dev/null or a FIFO would replace
	 * the node itself.  Those are written in place.  A symlink is kept
	 * and the file it points to replaced, through a temporary in that
	 * file's directory (so the rename stays on one file system).
	 */
	if ((target = resolve(path, &st, &exists)) == NULL ||
	    (exists && !S_ISREG(st.st_mode))) {
		free(target);
		open_in_place(o, path);
		pipe_widen(o->fd);
		return;
	}
	if (asprintf(&o->tmp, "%s.tmp.XXXXXX", target) == -1)
		die_sys("out of memory");
	catch_signals();
	o->run = track(o->tmp, target, path);
	if ((o->fd = mkstemp(o->tmp)) == -1)
		die_sys("%s", path);
	/* an existing file keeps its mode; a new one gets open(2)'s */
	if (exists)
		mode = st.st_mode & 0777;
	else {
		mode = umask(0);
		umask(mode);
		mode = 0666 & ~mode;
	}
	if (fchmod(o->fd, mode) == -1)
		die_sys("%s", path);
}

static void
write_all(struct out *o, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(o->fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1) {
			if (errno == EPIPE) {
				/* The reader is gone: end quietly, as cat does. */
				remove_temps();
				signal(SIGPIPE, SIG_DFL);
				raise(SIGPIPE);
				_exit(EXIT_DATA);
			}
			die_sys("%s: write error",
			    o->path != NULL ? o->path : "stdout");
		}
		p += w;
		n -= w;
		o->bytes += w;
	}
}

void
out_flush(struct out *o)
{
	write_all(o, o->buf, o->len);
	o->len = 0;
}

void
out_write_slow(struct out *o, const void *p, size_t n)
{
	out_flush(o);
	if (n >= o->cap)
		write_all(o, p, n);
	else {
		memcpy(o->buf, p, n);
		o->len = n;
	}
}

void
out_close(struct out *o)
{
	out_flush(o);
	if (o->path != NULL && close(o->fd) == -1)
		die_sys("%s: write error", o->path);
	if (o->run != NULL)
		((struct run *)o->run)->closed = 1;
	free(o->path);
	free(o->buf);
	o->path = o->buf = NULL;
	o->tmp = NULL;		/* the run's record owns it now */
	o->run = NULL;
}

void
out_u64(struct out *o, uint64_t v)
{
	char tmp[24];
	int i = sizeof(tmp);

	do {
		tmp[--i] = '0' + v % 10;
		v /= 10;
	} while (v != 0);
	out_write(o, tmp + i, sizeof(tmp) - i);
}

void
out_i64(struct out *o, int64_t v)
{
	if (v < 0) {
		out_byte(o, '-');
		out_u64(o, -(uint64_t)v);
	} else
		out_u64(o, v);
}
