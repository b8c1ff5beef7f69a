/*
 * out.c - the output side of every tool: one large buffer, write(2) checked,
 * temporary-file-and-rename for named outputs, the temporaries removed when a
 * run dies or is signalled.  A closed pipe ends the tool quietly.
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

#define OUT_BUFSIZE	(1 << 20)
#define MAX_TEMPS	16

/* Temporaries to remove if the process ends before out_close. */
static char *temps[MAX_TEMPS];

static void
remove_temps(void)
{
	int i;

	for (i = 0; i < MAX_TEMPS; i++)
		if (temps[i] != NULL)
			unlink(temps[i]);
}

static void
on_signal(int sig)
{
	remove_temps();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
track_temp(char *tmp)
{
	static int installed;
	int i;

	if (!installed) {
		atexit(remove_temps);
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		signal(SIGHUP, on_signal);
		installed = 1;
	}
	for (i = 0; i < MAX_TEMPS; i++)
		if (temps[i] == NULL) {
			temps[i] = tmp;
			return;
		}
	die(EXIT_DATA, "too many output files");
}

static void
untrack_temp(char *tmp)
{
	int i;

	for (i = 0; i < MAX_TEMPS; i++)
		if (temps[i] == tmp)
			temps[i] = NULL;
}

void
out_open(struct out *o, const char *path)
{
	struct stat st;
	mode_t mask;

	memset(o, 0, sizeof(*o));
	o->cap = OUT_BUFSIZE;
	if ((o->buf = malloc(o->cap)) == NULL)
		die_sys("out of memory");
	if (path == NULL || strcmp(path, "-") == 0) {
		o->fd = STDOUT_FILENO;
		return;
	}
	/*
	 * Only a regular file (or a new name) gets the temporary and the
	 * rename: renaming over /dev/stdout, /dev/null, a FIFO or a symlink
	 * would replace the node itself.  Those are written in place.
	 */
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (strcmp(path, "/dev/stdout") == 0)
			o->fd = dup(STDOUT_FILENO);
		else if (strcmp(path, "/dev/stderr") == 0)
			o->fd = dup(STDERR_FILENO);
		else
			o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
		if (o->fd == -1)
			die_sys("%s", path);
		if ((o->path = strdup(path)) == NULL)
			die_sys("out of memory");
		return;
	}
	if ((o->path = strdup(path)) == NULL ||
	    asprintf(&o->tmp, "%s.tmp.XXXXXX", path) == -1)
		die_sys("out of memory");
	if ((o->fd = mkstemp(o->tmp)) == -1)
		die_sys("%s", path);
	track_temp(o->tmp);
	mask = umask(0);
	umask(mask);
	if (fchmod(o->fd, 0666 & ~mask) == -1)
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
	if (o->path == NULL) {
		free(o->buf);
		o->buf = NULL;
		return;
	}
	if (close(o->fd) == -1)
		die_sys("%s: write error", o->path);
	if (o->tmp != NULL && rename(o->tmp, o->path) == -1)
		die_sys("%s: cannot rename into place", o->path);
	untrack_temp(o->tmp);
	free(o->tmp);
	free(o->path);
	free(o->buf);
	o->tmp = o->path = o->buf = NULL;
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
