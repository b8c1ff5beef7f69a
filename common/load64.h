/*
 * load64.h - eight bytes at any address as a uint64_t in host order (memcpy:
 * no alignment assumed, one load on x86), for the hash functions of the
 * tables (hashmap.c, joinmap.c).
 */
#ifndef P07_LOAD64_H
#define P07_LOAD64_H

#include <stdint.h>
#include <string.h>

static inline uint64_t
load64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

#endif
