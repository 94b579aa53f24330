# tests/unit/ipnl.mk — failover's netlink/raw-socket layer (ipaddr, arp,
# iflink) against the real kernel inside a private network namespace with
# a veth pair, and the interface-health table (ifhealth). Needs root for
# the kernel parts (skipped otherwise); about a second.
UNIT_TESTS += test_ipnl
test_ipnl_SRCS := $(FAILOVER_NL_SRCS) agentd/util.c tests/unit/netns.c
test_ipnl_PKGS := libnl-route-3.0 libsystemd
$(BUILD)/obj/tests/unit/test_ipnl.o: EXTRA_CFLAGS += $(call pkg_cflags,libnl-route-3.0)

# Tickle ACKs (failover/tickle.c): the kernel's socket table through
# NETLINK_SOCK_DIAG and hand-built ACKs captured on lo, IPv4 and IPv6, in a
# private network namespace (root; skipped otherwise). Well under a second.
UNIT_TESTS += test_tickle
test_tickle_SRCS := $(FAILOVER_NL_SRCS) agentd/util.c tests/unit/netns.c
test_tickle_PKGS := libnl-route-3.0 libsystemd
$(BUILD)/obj/tests/unit/test_tickle.o: EXTRA_CFLAGS += $(call pkg_cflags,libnl-route-3.0)

# tests/unit/netns.c: the private network namespace and its links (veth
# pairs up and with carrier), shared by the kernel tests (test_ipnl,
# test_tickle, test_natgw_apply, test_policyroute_apply, test_lvs_apply,
# test_transport: each lists it in its _SRCS with failover/nlerr.c and
# libnl-route-3.0 in its _PKGS). Its libnl flags are set here, once.
$(BUILD)/obj/tests/unit/netns.o: EXTRA_CFLAGS += $(call pkg_cflags,libnl-route-3.0)
