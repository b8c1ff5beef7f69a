/*
 * rejects.h - the --rejects file: one line per refused row,
 * "source line reason raw", so that rows in = rows out + rows rejected
 * can be checked.  Reasons are short fixed phrases.
 */
#ifndef P07_REJECTS_H
#define P07_REJECTS_H

#include <stdint.h>

#include "out.h"

struct rejects {
	struct out	 out;
	int		 open;
	uint64_t	 count;
};

/*
 * PATH NULL: rejecting is not allowed and rejects_add is never called.
 * The file is committed with the run's other outputs (out.h).
 */
void	rejects_open(struct rejects *r, const char *path);
void	rejects_add(struct rejects *r, const char *source, uint64_t line,
	    const char *reason, const char *raw, size_t n);
void	rejects_close(struct rejects *r);

#endif
