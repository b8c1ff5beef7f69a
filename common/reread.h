/*
 * reread.h - one input read twice (a first pass that computes, a second that
 * writes, as wrating -C auto does).  A regular file is opened again; stdin
 * or a pipe is first copied, raw, to a temporary file.  It never parses or
 * inflates: the copy holds the bytes as given.
 */
#ifndef P07_REREAD_H
#define P07_REREAD_H

#include <sys/types.h>

struct reread {
	const char	*path;		/* what to open for each pass */
	const char	*name;		/* the input as the user named it */
	off_t		 start;		/* offset of stdin at the start */
	int		 rewind;	/* 1: path is "-", seek fd 0 each pass */
	unsigned long long spooled;	/* bytes copied to the temporary file */
};

/*
 * Prepare PATH (NULL or "-": stdin).  A pipe, terminal or other stream is
 * copied to a file made with mkstemp in $TMPDIR (default /tmp) and unlinked
 * at once, so nothing is left behind however the process ends; that file
 * then becomes fd 0.  Dies with a message on failure.
 */
void		 reread_open(struct reread *r, const char *path);
/* Before each pass: the path to hand to tsv_open (rewound when stdin). */
const char	*reread_pass(struct reread *r);

#endif
