/*
 * ifhealth.c — the interface part of a node's health: OK, PARTIALLYONLINE
 * or no working public interface at all. A pure function of the public
 * addresses and a table of link states, so that it is tested with tables
 * and the glue feeds it from failover/iflink.c. See ifhealth.h.
 */
#include "failover/ifhealth.h"

static bool link_up(const char *name, const struct ifhealth_link *links, size_t nlinks)
{
	for (size_t i = 0; i < nlinks; i++)
		if (links[i].name && streq(links[i].name, name))
			return links[i].up;
	return false; /* missing: down */
}

/* Was this interface already counted, in an earlier entry or slot? */
static bool seen_before(const struct conf_pubaddr *pa, size_t a, size_t k)
{
	const char *name = pa[a].ifaces[k];

	for (size_t i = 0; i <= a; i++)
		for (size_t j = 0; j < pa[i].nifaces && (i < a || j < k); j++)
			if (streq(pa[i].ifaces[j], name))
				return true;
	return false;
}

enum ifhealth ifhealth_eval(const struct conf_pubaddr *pa, size_t npa,
			    const struct ifhealth_link *links, size_t nlinks)
{
	size_t up = 0, down = 0;

	for (size_t a = 0; a < npa; a++)
		for (size_t k = 0; k < pa[a].nifaces; k++) {
			if (seen_before(pa, a, k))
				continue;
			if (link_up(pa[a].ifaces[k], links, nlinks))
				up++;
			else
				down++;
		}
	if (down == 0)
		return IFHEALTH_OK;
	return up ? IFHEALTH_PARTIAL : IFHEALTH_DOWN;
}

bool ifhealth_can_host(const struct conf_pubaddr *pa, const struct ifhealth_link *links,
		       size_t nlinks)
{
	for (size_t k = 0; k < pa->nifaces; k++)
		if (link_up(pa->ifaces[k], links, nlinks))
			return true;
	return false;
}

const char *ifhealth_name(enum ifhealth h)
{
	switch (h) {
	case IFHEALTH_OK:
		return "ok";
	case IFHEALTH_PARTIAL:
		return "partial";
	case IFHEALTH_DOWN:
		return "down";
	}
	return "?";
}
