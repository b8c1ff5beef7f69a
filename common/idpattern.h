/*
 * idpattern.h - whole-value matching of the anchored id patterns quality
 * gates use (^tt[0-9]{7,}$, ^[0-9a-f]{32}$, ^(-1|-2|[1-9][0-9]*)$) without
 * regexec.  It only says "not mine" for any other pattern: the caller then
 * uses regcomp/regexec, so no pattern ever gets a different answer.
 *
 * The shapes it takes, in POSIX ERE: '^' BODY '$' where BODY is a sequence
 * or '(' SEQ '|' SEQ ... ')'; a sequence is atoms (a literal byte, '\' and a
 * punctuation byte, or a bracket of ASCII bytes and ranges, not negated),
 * each with an optional '*', '+', '?', '{N}', '{N,}' or '{N,M}'; only the
 * last atom of a sequence may repeat a variable number of times.  Bytes are
 * compared as bytes (the C locale): a byte outside every class, NUL or
 * >= 0x80, never matches.
 */
#ifndef P07_IDPATTERN_H
#define P07_IDPATTERN_H

#include <stddef.h>
#include <stdint.h>

#define IDPAT_ALTS	8	/* alternatives */
#define IDPAT_POS	64	/* fixed positions of one alternative */
#define IDPAT_CLASSES	16	/* distinct byte classes of a pattern */

struct idpat_alt {
	uint8_t		 pos[IDPAT_POS];	/* class of each fixed byte */
	size_t		 npos;
	uint8_t		 tail;		/* class of the repeated last atom */
	size_t		 tmin, tmax;	/* its count; tmax SIZE_MAX: no limit */
};

struct idpat {
	struct idpat_alt alt[IDPAT_ALTS];
	size_t		 nalt;
	uint8_t		 in[IDPAT_CLASSES][256];	/* 1: byte in class */
	size_t		 nclass;
};

/* 1 when RE has a shape above (P is ready), 0 when regexec must do it. */
int	idpat_compile(struct idpat *p, const char *re);
/* 1 when the whole of S[0..N) matches. */
int	idpat_match(const struct idpat *p, const char *s, size_t n);

#endif
