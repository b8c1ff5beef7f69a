/*
 * idpattern.c - the anchored id patterns of the quality gates, matched byte
 * by byte against a table per class (see idpattern.h).  It never guesses:
 * a pattern outside the shapes it knows is left to regexec.
 *
 * Why: evidence-sum checks ^[0-9a-f]{32}$ on every key of the star schema;
 * glibc regexec spent ~0.3 us a value there (20 % of the run at scale 0.1),
 * this spends a table look-up a byte.
 */
#include <stdint.h>
#include <string.h>

#include "idpattern.h"

#define MAX_COUNT	255	/* larger {N} are left to regexec */

/* An atom before expansion: a class and how often it repeats. */
struct atom {
	uint8_t		 cls;
	size_t		 min, max;
};

static int
is_special(int c)
{
	return c != '\0' && strchr(".[]()*+?{}|^$\\", c) != NULL;
}

/* Index of the class IN (256 flags), added when new; -1 when full. */
static int
add_class(struct idpat *p, const uint8_t *in)
{
	size_t i;

	for (i = 0; i < p->nclass; i++)
		if (memcmp(p->in[i], in, 256) == 0)
			return (int)i;
	if (p->nclass == IDPAT_CLASSES)
		return -1;
	memcpy(p->in[p->nclass], in, 256);
	return (int)p->nclass++;
}

/* A bracket at *S (just after '['); 0 when it is not a plain one. */
static int
parse_bracket(const char **s, uint8_t *in)
{
	const unsigned char *q = (const unsigned char *)*s;
	unsigned lo, hi, c;

	memset(in, 0, 256);
	if (*q == '^' || *q == ']')
		return 0;		/* negation, or ']' as a member */
	while (*q != ']') {
		/* printable ASCII; no '[' ([:digit:] and kin), no '\' */
		if (*q < 0x20 || *q > 0x7e || *q == '[' || *q == '\\')
			return 0;
		/* '-' is a member only first or last */
		if (*q == '-' && q != (const unsigned char *)*s && q[1] != ']')
			return 0;
		lo = hi = *q++;
		if (*q == '-' && q[1] != ']') {
			hi = q[1];
			if (hi < 0x20 || hi > 0x7e || hi == '[' || hi == '\\' ||
			    hi < lo)
				return 0;
			q += 2;
		}
		for (c = lo; c <= hi; c++)
			in[c] = 1;
	}
	*s = (const char *)q + 1;
	return 1;
}

static int
parse_number(const char **s, size_t *v)
{
	const char *q = *s;

	*v = 0;
	if (*q < '0' || *q > '9')
		return 0;
	while (*q >= '0' && *q <= '9') {
		*v = *v * 10 + (size_t)(*q++ - '0');
		if (*v > MAX_COUNT)
			return 0;
	}
	*s = q;
	return 1;
}

/* An optional quantifier at *S into A; 0 when it is one we do not take. */
static int
parse_quantifier(const char **s, struct atom *a)
{
	const char *q = *s;

	a->min = a->max = 1;
	switch (*q) {
	case '*':
		a->min = 0;
		a->max = SIZE_MAX;
		q++;
		break;
	case '+':
		a->max = SIZE_MAX;
		q++;
		break;
	case '?':
		a->min = 0;
		q++;
		break;
	case '{':
		q++;
		if (!parse_number(&q, &a->min))
			return 0;
		a->max = a->min;
		if (*q == ',') {
			q++;
			a->max = SIZE_MAX;
			if (*q != '}' && (!parse_number(&q, &a->max) ||
			    a->max < a->min))
				return 0;
		}
		if (*q++ != '}')
			return 0;
		break;
	default:
		return 1;
	}
	/* a quantifier on a quantifier is not ours */
	if (*q == '*' || *q == '+' || *q == '?' || *q == '{')
		return 0;
	*s = q;
	return 1;
}

/*
 * One sequence at *S up to '|', ')' or '$' into alternative ALT: fixed
 * atoms expand to positions, only the last may vary.
 */
static int
parse_seq(struct idpat *p, const char **s, struct idpat_alt *alt)
{
	const char *q = *s;
	uint8_t in[256];
	struct atom a, last = { 0, 0, 0 };
	int have_last = 0, c;
	size_t i;

	memset(alt, 0, sizeof(*alt));
	while (*q != '|' && *q != ')' && *q != '$') {
		if (*q == '\0')
			return 0;
		memset(in, 0, sizeof(in));
		if (*q == '[') {
			q++;
			if (!parse_bracket(&q, in))
				return 0;
		} else if (*q == '\\') {
			if (!is_special((unsigned char)q[1]))
				return 0;
			in[(unsigned char)q[1]] = 1;
			q += 2;
		} else {
			if ((unsigned char)*q < 0x20 ||
			    (unsigned char)*q > 0x7e || is_special(*q))
				return 0;
			in[(unsigned char)*q++] = 1;
		}
		if ((c = add_class(p, in)) < 0)
			return 0;
		a.cls = (uint8_t)c;
		if (!parse_quantifier(&q, &a) || a.max == 0)
			return 0;
		if (have_last) {	/* the one before was not the last */
			if (last.min != last.max ||
			    alt->npos + last.min > IDPAT_POS)
				return 0;
			for (i = 0; i < last.min; i++)
				alt->pos[alt->npos++] = last.cls;
		}
		last = a;
		have_last = 1;
	}
	if (have_last) {
		if (last.min == last.max) {
			if (alt->npos + last.min > IDPAT_POS)
				return 0;
			for (i = 0; i < last.min; i++)
				alt->pos[alt->npos++] = last.cls;
		} else {
			alt->tail = last.cls;
			alt->tmin = last.min;
			alt->tmax = last.max;
		}
	}
	*s = q;
	return 1;
}

int
idpat_compile(struct idpat *p, const char *re)
{
	const char *q = re;
	int group;

	memset(p, 0, sizeof(*p));
	if (*q++ != '^')
		return 0;
	if ((group = *q == '(') != 0)
		q++;
	for (;;) {
		if (p->nalt == IDPAT_ALTS || !parse_seq(p, &q, &p->alt[p->nalt]))
			return 0;
		/* an empty alternative only as the whole of "^$" */
		if (p->alt[p->nalt].npos == 0 && p->alt[p->nalt].tmax == 0 &&
		    (group || *q != '$'))
			return 0;
		p->nalt++;
		if (*q != '|')
			break;
		if (!group)
			return 0;	/* ^a|b$ is (^a)|(b$): not ours */
		q++;
	}
	if (group && *q++ != ')')
		return 0;
	return q[0] == '$' && q[1] == '\0';
}

static int
alt_match(const struct idpat *p, const struct idpat_alt *a,
    const unsigned char *s, size_t n)
{
	const uint8_t *tail;
	size_t i, extra;
	unsigned ok = 1;

	if (n < a->npos)
		return 0;
	extra = n - a->npos;
	if (extra < a->tmin || extra > a->tmax)
		return 0;
	for (i = 0; i < a->npos; i++)
		ok &= p->in[a->pos[i]][s[i]];
	if (!ok)
		return 0;
	tail = p->in[a->tail];
	for (; i < n; i++)
		ok &= tail[s[i]];
	return ok;
}

int
idpat_match(const struct idpat *p, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < p->nalt; i++)
		if (alt_match(p, &p->alt[i], (const unsigned char *)s, n))
			return 1;
	return 0;
}
