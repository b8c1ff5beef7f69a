/*
 * reread.c - makes an input readable twice.  The spool is a plain byte copy
 * in the temporary directory, unlinked as soon as it is created; this file
 * knows nothing of gzip, lines or fields.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>

#include "msg.h"
#include "reread.h"

#define COPY_BUFSIZE	(1 << 20)

/* Copy all of FD to a new unlinked temporary file; returns its fd. */
static int
spool(struct reread *r, int fd)
{
	const char *dir = getenv("TMPDIR");
	char *tmp, *buf;
	ssize_t got, w, off;
	int out;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	if (asprintf(&tmp, "%s/%s.spool.XXXXXX", dir, progname) == -1 ||
	    (buf = malloc(COPY_BUFSIZE)) == NULL)
		die_sys("out of memory");
	if ((out = mkstemp(tmp)) == -1)
		die_sys("%s: cannot create a temporary file to read %s twice",
		    dir, r->name);
	unlink(tmp);
	for (;;) {
		do
			got = read(fd, buf, COPY_BUFSIZE);
		while (got == -1 && errno == EINTR);
		if (got == -1)
			die_sys("%s: read error", r->name);
		if (got == 0)
			break;
		for (off = 0; off < got; off += w) {
			do
				w = write(out, buf + off, got - off);
			while (w == -1 && errno == EINTR);
			if (w == -1)
				die_sys("%s: write error (copy of %s)", tmp,
				    r->name);
		}
		r->spooled += got;
	}
	free(buf);
	free(tmp);
	return out;
}

void
reread_open(struct reread *r, const char *path)
{
	struct stat st;
	int fd, in;

	memset(r, 0, sizeof(*r));
	if (path == NULL || strcmp(path, "-") == 0) {
		r->name = "stdin";
		r->path = "-";
		r->rewind = 1;
		if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) &&
		    (r->start = lseek(STDIN_FILENO, 0, SEEK_CUR)) != -1)
			return;
		fd = spool(r, STDIN_FILENO);
	} else {
		r->name = r->path = path;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return;
		if ((in = open(path, O_RDONLY)) == -1)
			die_sys("%s", path);
		r->rewind = 1;
		r->path = "-";
		fd = spool(r, in);
		close(in);
	}
	if (dup2(fd, STDIN_FILENO) == -1)
		die_sys("%s: cannot reopen the copy", r->name);
	close(fd);
	r->start = 0;
}

const char *
reread_pass(struct reread *r)
{
	if (r->rewind && lseek(STDIN_FILENO, r->start, SEEK_SET) == -1)
		die_sys("%s: cannot rewind", r->name);
	return r->path;
}
