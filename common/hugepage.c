/*
 * hugepage.c - transparent huge pages for the few big tables a tool probes
 * at random.  With 4 KiB pages a 50 MB hash table misses the TLB on nearly
 * every probe; with 2 MiB pages it hardly does.  It never allocates.
 */
#include <stdint.h>
#include <sys/mman.h>

#include "hugepage.h"

#define HUGE_SIZE	((uintptr_t)2 << 20)

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

void
hugepage_advise(const void *p, size_t n)
{
	uintptr_t beg = ((uintptr_t)p + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1);
	uintptr_t end = ((uintptr_t)p + n) & ~(HUGE_SIZE - 1);

	if (p == NULL || end <= beg)
		return;
#ifdef MADV_HUGEPAGE
	(void)madvise((void *)beg, end - beg, MADV_HUGEPAGE);
	(void)madvise((void *)beg, end - beg, MADV_COLLAPSE);
#endif
}
