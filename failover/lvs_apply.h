/*
 * lvs_apply.h — carry out one node's LVS plan (lvs.h): the IPVS table
 * through the ipvsadm program, the ARP sysctls through /proc/sys, and the
 * address through rtnetlink (failover/ipaddr.h, plus a scope-host add on
 * lo that ipaddr.h does not offer). It decides nothing and logs nothing:
 * every failure is returned as -errno, with a sentence from
 * lvs_apply_error().
 *
 * Dry run. When the kernel has no IPVS (/proc/net/ip_vs absent: the
 * module is neither built in nor loaded; nothing here tries to load it)
 * or the caller forces it, ipvsadm is never run: each command line is
 * recorded as text instead, so that herdd can log what it would have done
 * and `herdctl lvs -v` can show it. The sysctls and the address are
 * applied in a dry run too — they need no IPVS. The glue should say so
 * once, at start-up, e.g. from lvs_apply_dry_run_reason():
 *   "LVS: the kernel has no IPVS (/proc/net/ip_vs absent): ipvsadm
 *    commands are logged, not run"
 *
 * Blocking: ipvsadm is run synchronously, fork + exec (no shell), and
 * waited for. It only talks to the kernel over a netlink socket and
 * returns in milliseconds; a plan runs at most 2n + 6 of them for n nodes
 * in the set, only when the cluster's flags change. Each run is bounded by
 * LVS_IPVSADM_TIMEOUT, after which the child is killed. The caller must
 * not have SIGCHLD set to SIG_IGN (the child could not be waited for);
 * blocking it (sd-event does) is fine. The rtnetlink and /proc/sys steps
 * are synchronous kernel calls (microseconds).
 *
 * Errors callers can expect:
 *   -ENOENT       ipvsadm not found (in PATH=/usr/sbin:/usr/bin:/sbin:/bin
 *                 or at the path given)
 *   -EEXIST       ipvsadm: "Service already exists" / "Destination already exists"
 *   -ENOPROTOOPT  ipvsadm: the kernel has no IPVS after all
 *   -EIO          ipvsadm failed otherwise (its message in lvs_apply_error())
 *   -ETIMEDOUT    ipvsadm ran longer than LVS_IPVSADM_TIMEOUT (killed)
 *   -ENODEV       the public interface (or lo) does not exist
 *   -EPERM, -EACCES  not root / no CAP_NET_ADMIN
 *   -EINVAL       a plan that does not make sense (master, no interface)
 */
#ifndef HERD_FAILOVER_LVS_APPLY_H
#define HERD_FAILOVER_LVS_APPLY_H

#include <stdbool.h>

#include "agentd/util.h"
#include "failover/lvs.h"

#define LVS_IPVSADM_TIMEOUT (5 * USEC_PER_SEC)
#define LVS_IPVS_PROC "/proc/net/ip_vs"

struct lvs_apply;

/* Flags for lvs_apply_new(). */
enum {
	LVS_APPLY_DRY_RUN = 1 << 0, /* record ipvsadm commands, never run them */
	LVS_APPLY_RUN = 1 << 1,     /* run ipvsadm even without /proc/net/ip_vs
				     * (tests with a stand-in ipvsadm) */
};

/* Does this kernel have IPVS? Only looks at /proc/net/ip_vs (this netns). */
bool lvs_kernel_has_ipvs(void);

/*
 * Open the rtnetlink sockets (in the current network namespace) and
 * decide dry run or not: dry run when LVS_APPLY_DRY_RUN is given, or when
 * the kernel has no IPVS and LVS_APPLY_RUN is not given. ipvsadm is the
 * program to run: NULL for "ipvsadm" found in the PATH above, or a path.
 */
int lvs_apply_new(const char *ipvsadm, unsigned flags, struct lvs_apply **out);
void lvs_apply_free(struct lvs_apply *a);

/* Is this a dry run? */
bool lvs_apply_dry_run(const struct lvs_apply *a);

/* Why a dry run, as a sentence ("the kernel has no IPVS (...)"); NULL when not one. */
const char *lvs_apply_dry_run_reason(const struct lvs_apply *a);

/*
 * Carry out p, in the order lvs.h gives: ipvsadm deletions ("No such
 * service" counts as done), sysctls, address, the other ipvsadm commands.
 * The address step leaves the address only where the plan puts it: it is
 * removed from every other interface that holds it, and is not touched
 * where it already is (with scope host, on lo). Stops at the first
 * failure and returns its -errno; lvs_apply_error() says what failed.
 * Running the same plan twice is harmless.
 */
int lvs_apply(struct lvs_apply *a, const struct lvs_plan *p);

/*
 * The ipvsadm command lines of the last lvs_apply() — run, or recorded in
 * a dry run — one per line ("ipvsadm -D -t 10.1.1.201:0\n..."); "" before
 * the first. Valid until the next lvs_apply() or lvs_apply_free().
 */
const char *lvs_apply_commands(const struct lvs_apply *a);

/* What the last lvs_apply() failure was, as a sentence; "" after a success. */
const char *lvs_apply_error(const struct lvs_apply *a);

#endif
