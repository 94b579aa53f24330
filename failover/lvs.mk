# failover/lvs.mk — LVS (ctdb(7) "LVS", CTDB's 91.lvs): the pure set,
# master and per-node plan (lvs.c) and the applier (lvs_apply.c: ipvsadm
# by fork + exec or recorded in a dry run, the ARP sysctls, the address
# through rtnetlink).
#
# herdd links these (agentd/Makefile.inc lists them by name: this fragment
# is read after it); the unit tests use $(LVS_SRCS) with $(FAILOVER_NL_SRCS)
# (failover/ipnl.mk) for ipaddr.c and nlerr.c.

LVS_SRCS := failover/lvs.c failover/lvs_apply.c
LVS_PKGS := libnl-route-3.0

# libnl's headers live under /usr/include/libnl3: only the applier needs them.
$(call obj,failover/lvs_apply.c): EXTRA_CFLAGS += $(call pkg_cflags,$(LVS_PKGS))
