/*
 * hugepage.h - ask the kernel to back a large, randomly probed block (a hash
 * table's slots and records) with 2 MiB pages, so that probes stop missing
 * the TLB.  Advice only: it never fails, moves or frees the memory.
 */
#ifndef P07_HUGEPAGE_H
#define P07_HUGEPAGE_H

#include <stddef.h>

/*
 * Advise MADV_HUGEPAGE on the 2 MiB-aligned part of [P, P+N) and collapse
 * what is already there (MADV_COLLAPSE, Linux 6.1+).  Silent where the
 * kernel says no.
 */
void	hugepage_advise(const void *p, size_t n);

#endif
