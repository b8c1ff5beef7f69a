/*
 * bigbuf.c - growth of the few big tables a tool probes at random.  A
 * mapping is flagged for huge pages as a whole: flagging only its 2 MiB-
 * aligned middle splits it, and mremap cannot move a split mapping, so
 * realloc would copy it at every doubling.  Why every big table lives
 * here: bigbuf.h.
 */
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "bigbuf.h"
#include "msg.h"

#define BIG	((size_t)2 << 20)	/* from here on: a mapping of its own */

void *
bigbuf_grow(void *p, size_t old, size_t new)
{
	void *q;

	if (new < BIG) {
		if ((q = realloc(p, new)) == NULL && new > 0)
			die_sys("out of memory");
		memset((char *)q + old, 0, new - old);
		return q;
	}
	/* mremap moves page tables: no copy; new pages come zeroed */
	if (old >= BIG &&
	    (q = mremap(p, old, new, MREMAP_MAYMOVE)) != MAP_FAILED)
		goto advise;
	q = mmap(NULL, new, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (q == MAP_FAILED)
		die_sys("out of memory");
	if (old > 0)
		memcpy(q, p, old);
	bigbuf_free(p, old);
advise:
#ifdef MADV_HUGEPAGE
	(void)madvise(q, new, MADV_HUGEPAGE);	/* advice: may be refused */
#endif
	return q;
}

void
bigbuf_free(void *p, size_t cap)
{
	if (p == NULL)
		return;
	if (cap >= BIG)
		(void)munmap(p, cap);
	else
		free(p);
}
