# failover/natgw.mk — the NAT gateway (ctdb(7) NAT GATEWAY): natgw.c is
# pure (master selection, this node's role, the plan and its nft script);
# natgw_apply.c puts a plan into the kernel through libnftables and
# libnl-route-3 (and failover/ipaddr.c for the public address).
#
# herdd links these (agentd/Makefile.inc lists them by name: this fragment
# is read after it); the unit tests use $(NATGW_SRCS) with ipaddr.c and
# nlerr.c from $(FAILOVER_NL_SRCS) (failover/ipnl.mk).

NATGW_PURE_SRCS := failover/natgw.c
NATGW_SRCS := $(NATGW_PURE_SRCS) failover/natgw_apply.c
NATGW_PKGS := libnftables libnl-route-3.0

$(call obj,failover/natgw_apply.c): EXTRA_CFLAGS += $(call pkg_cflags,$(NATGW_PKGS))
