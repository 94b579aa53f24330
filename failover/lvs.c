/*
 * lvs.c — LVS as pure functions: the set and the master (CTDB's ctdb_lvs
 * filter), this node's role, and the plan of one node (CTDB's 91.lvs).
 * See lvs.h for the rules and where herd departs from 91.lvs.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>

#include "agentd/state.h"
#include "failover/lvs.h"

/* 91.lvs "startup": set_proc_maybe sys/net/ipv4/conf/all/arp_{ignore,announce}. */
static const struct lvs_sysctl arp_sysctls[] = {
	{ "net/ipv4/conf/all/arp_ignore", "3" },
	{ "net/ipv4/conf/all/arp_announce", "2" },
};

/* ctdb_lvs filter_nodes, first awk: not Disabled ($5), Unhealthy ($6), Inactive ($8). */
static bool usable_healthy(uint32_t flags)
{
	return !(flags & (NODE_FLAG_PERMANENTLY_DISABLED | NODE_FLAG_UNHEALTHY | NODE_FLAG_INACTIVE));
}

/* ctdb_lvs filter_nodes, second awk: not Disabled, not Inactive. */
static bool usable_any_health(uint32_t flags)
{
	return !(flags & (NODE_FLAG_PERMANENTLY_DISABLED | NODE_FLAG_INACTIVE));
}

uint32_t lvs_select(const struct lvs_member *m, size_t n, bool *in_set)
{
	bool any = false;
	uint32_t master = LVS_NO_MASTER;

	for (size_t i = 0; i < n; i++) {
		in_set[i] = usable_healthy(m[i].flags);
		any |= in_set[i];
	}
	if (!any)
		for (size_t i = 0; i < n; i++)
			in_set[i] = usable_any_health(m[i].flags);

	/* The master: the same filter over the nodes that may be master. */
	for (int step = 0; step < 2 && master == LVS_NO_MASTER; step++)
		for (size_t i = 0; i < n; i++) {
			bool ok = step == 0 ? usable_healthy(m[i].flags)
					    : usable_any_health(m[i].flags);

			if (ok && !m[i].slave_only && (master == LVS_NO_MASTER || m[i].pnn < master))
				master = m[i].pnn;
		}
	return master;
}

enum lvs_role lvs_role_of(const struct lvs_member *m, size_t n, const bool *in_set,
			  uint32_t master, uint32_t my_pnn)
{
	if (master != LVS_NO_MASTER && master == my_pnn)
		return LVS_ROLE_MASTER;
	for (size_t i = 0; i < n; i++)
		if (m[i].pnn == my_pnn && in_set[i])
			return LVS_ROLE_MEMBER;
	return LVS_ROLE_NONE;
}

const char *lvs_role_name(enum lvs_role role)
{
	switch (role) {
	case LVS_ROLE_NONE:
		return "none";
	case LVS_ROLE_MEMBER:
		return "member";
	case LVS_ROLE_MASTER:
		return "master";
	}
	return "?";
}

/* "10.1.1.201" or "2001:db8::1"; with_port: "10.1.1.201:0", "[2001:db8::1]:0". */
static int addr_text(const struct sockaddr_storage *ss, bool brackets, const char *suffix,
		     char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	int r;

	switch (ss->ss_family) {
	case AF_INET:
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, a, sizeof(a));
		r = snprintf(buf, len, "%s%s", a, suffix);
		break;
	case AF_INET6:
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, a, sizeof(a));
		r = snprintf(buf, len, brackets ? "[%s]%s" : "%s%s", a, suffix);
		break;
	default:
		return -EAFNOSUPPORT;
	}
	return r >= 0 && (size_t)r < len ? 0 : -EINVAL;
}

/* Append one command: words up to NULL. */
static int add_cmd(struct lvs_plan *p, bool delete, ...)
{
	struct lvs_cmd *c, *cmds;
	const char *w;
	va_list ap;

	cmds = realloc(p->cmds, (p->ncmds + 1) * sizeof(*cmds));
	if (!cmds)
		return -ENOMEM;
	p->cmds = cmds;
	c = &cmds[p->ncmds++];
	memset(c, 0, sizeof(*c));
	c->delete = delete;
	snprintf(c->argv[c->argc++], LVS_WORD_MAX, "%s", LVS_IPVSADM);
	va_start(ap, delete);
	while ((w = va_arg(ap, const char *))) {
		/* The words are ours: flags and addresses that always fit. */
		if (c->argc >= LVS_ARGV_MAX)
			abort();
		snprintf(c->argv[c->argc++], LVS_WORD_MAX, "%s", w);
	}
	va_end(ap);
	return 0;
}

static int add_real_servers(struct lvs_plan *p, const char *svc, const struct lvs_member *m,
			    size_t n, const bool *in_set, uint32_t my_pnn)
{
	static const char *const protos[] = { "-t", "-u" };
	char real[LVS_WORD_MAX];
	uint32_t last = 0;
	bool first = true;
	int r;

	/* The set's other nodes by ascending pnn (ctdb_lvs list order), each -t then -u. */
	for (;;) {
		const struct lvs_member *next = NULL;

		for (size_t i = 0; i < n; i++)
			if (in_set[i] && m[i].pnn != my_pnn && (first || m[i].pnn > last) &&
			    (!next || m[i].pnn < next->pnn))
				next = &m[i];
		if (!next)
			break;
		first = false;
		last = next->pnn;
		if (next->addr.ss_family != p->vip.ss_family)
			return -EAFNOSUPPORT;
		r = addr_text(&next->addr, true, "", real, sizeof(real));
		if (r < 0)
			return r;
		for (size_t k = 0; k < ARRAY_SIZE(protos); k++) {
			r = add_cmd(p, false, "-a", protos[k], svc, "-r", real, "-g", NULL);
			if (r < 0)
				return r;
		}
	}
	/* 91.lvs: "Add localhost too..." — IPVS forwards to it as Local. */
	for (size_t k = 0; k < ARRAY_SIZE(protos); k++) {
		r = add_cmd(p, false, "-a", protos[k], svc, "-r",
			    p->vip.ss_family == AF_INET6 ? "[::1]" : "127.0.0.1", NULL);
		if (r < 0)
			return r;
	}
	return 0;
}

int lvs_plan_build(struct lvs_plan *p, enum lvs_role role, const struct sockaddr_storage *vip,
		   const char *iface, const struct lvs_member *m, size_t n, const bool *in_set,
		   uint32_t my_pnn)
{
	char svc[LVS_WORD_MAX], persist[16];
	int r;

	memset(p, 0, sizeof(*p));
	p->role = role;
	if (vip->ss_family != AF_INET && vip->ss_family != AF_INET6)
		return -EAFNOSUPPORT;
	p->vip = *vip;
	if (!iface)
		iface = "";
	if (strlen(iface) >= sizeof(p->iface) || strchr(iface, '/'))
		return -EINVAL;
	if (role == LVS_ROLE_MASTER && !*iface)
		return -EINVAL;
	snprintf(p->iface, sizeof(p->iface), "%s", iface);
	r = addr_text(vip, true, ":0", svc, sizeof(svc));
	if (r < 0)
		return r;

	/* Every role: the old services go (91.lvs ipreallocated, "Kill connections"). */
	if ((r = add_cmd(p, true, "-D", "-t", svc, NULL)) < 0 ||
	    (r = add_cmd(p, true, "-D", "-u", svc, NULL)) < 0)
		goto fail;

	switch (role) {
	case LVS_ROLE_NONE:
		p->place = LVS_VIP_NOWHERE;
		return 0;
	case LVS_ROLE_MEMBER:
		p->place = LVS_VIP_LO_HOST;
		p->sysctls = arp_sysctls;
		p->nsysctls = ARRAY_SIZE(arp_sysctls);
		return 0;
	case LVS_ROLE_MASTER:
		p->place = LVS_VIP_IFACE;
		p->sysctls = arp_sysctls;
		p->nsysctls = ARRAY_SIZE(arp_sysctls);
		break;
	default:
		r = -EINVAL;
		goto fail;
	}

	snprintf(persist, sizeof(persist), "%u", (unsigned)LVS_PERSISTENT);
	if ((r = add_cmd(p, false, "-A", "-t", svc, "-p", persist, "-s", LVS_SCHEDULER, NULL)) < 0 ||
	    (r = add_cmd(p, false, "-A", "-u", svc, "-p", persist, "-s", LVS_SCHEDULER, NULL)) < 0)
		goto fail;
	if (n > 0 && (!m || !in_set)) {
		r = -EINVAL;
		goto fail;
	}
	r = add_real_servers(p, svc, m, n, in_set, my_pnn);
	if (r < 0)
		goto fail;
	return 0;
fail:
	lvs_plan_done(p);
	return r;
}

void lvs_plan_done(struct lvs_plan *p)
{
	if (!p)
		return;
	free(p->cmds);
	p->cmds = NULL;
	p->ncmds = 0;
}

char *lvs_cmd_format(const struct lvs_cmd *c, char *buf, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (unsigned i = 0; i < c->argc && off < len; i++) {
		int r = snprintf(buf + off, len - off, "%s%s", i ? " " : "", c->argv[i]);

		if (r < 0)
			break;
		off += (size_t)r;
	}
	return buf;
}

static void print_cmds(FILE *f, const struct lvs_plan *p, bool deletions)
{
	char line[LVS_ARGV_MAX * LVS_WORD_MAX];

	for (size_t i = 0; i < p->ncmds; i++)
		if (p->cmds[i].delete == deletions)
			fprintf(f, "%s\n", lvs_cmd_format(&p->cmds[i], line, sizeof(line)));
}

char *lvs_plan_format(const struct lvs_plan *p)
{
	char *text = NULL, vip[INET6_ADDRSTRLEN + 8];
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	unsigned bits = p->vip.ss_family == AF_INET6 ? 128 : 32;

	if (!f)
		return NULL;
	if (addr_text(&p->vip, false, "", vip, sizeof(vip)) < 0)
		snprintf(vip, sizeof(vip), "?");
	fprintf(f, "role %s\n", lvs_role_name(p->role));
	print_cmds(f, p, true);
	for (size_t i = 0; i < p->nsysctls; i++) {
		fputs("sysctl ", f);
		for (const char *c = p->sysctls[i].path; *c; c++)
			fputc(*c == '/' ? '.' : *c, f);
		fprintf(f, "=%s\n", p->sysctls[i].value);
	}
	switch (p->place) {
	case LVS_VIP_NOWHERE:
		fprintf(f, "address %s nowhere\n", vip);
		break;
	case LVS_VIP_LO_HOST:
		fprintf(f, "address %s/%u on lo scope host\n", vip, bits);
		break;
	case LVS_VIP_IFACE:
		fprintf(f, "address %s/%u on %s\n", vip, bits, p->iface);
		break;
	}
	print_cmds(f, p, false);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
