/*
 * nlerr.h — libnl error codes as negative errnos, for failover/'s netlink
 * modules (ipaddr, iflink). libnl turns the kernel's errno into its own
 * NLE_* codes; herd's convention is -errno, so the modules map them back.
 */
#ifndef HERD_FAILOVER_NLERR_H
#define HERD_FAILOVER_NLERR_H

/* A libnl return value (0, or negative NLE_* code) as 0 or -errno. */
int nlerr_to_errno(int nlerr);

#endif
