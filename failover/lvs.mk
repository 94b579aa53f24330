# failover/lvs.mk — LVS (ctdb(7) "LVS", CTDB's 91.lvs): the pure set,
# master and per-node plan (lvs.c) and the applier (lvs_apply.c: ipvsadm
# by fork + exec or recorded in a dry run, the ARP sysctls, the address
# through rtnetlink).
#
# Not linked into herdd yet: the glue adds $(LVS_SRCS) to herdd's sources
# and $(LVS_PKGS) to its pkg-config list. lvs_apply.c also needs
# failover/ipaddr.c and failover/nlerr.c, which $(FAILOVER_NL_SRCS)
# (failover/ipnl.mk) already brings; they are not listed here so that a
# program linking both lists gets each object once. Runtime: the ipvsadm
# program (Debian package ipvsadm), only when the kernel has IPVS.

LVS_SRCS := failover/lvs.c failover/lvs_apply.c
LVS_PKGS := libnl-route-3.0

# libnl's headers live under /usr/include/libnl3: only the applier needs them.
$(call obj,failover/lvs_apply.c): EXTRA_CFLAGS += $(call pkg_cflags,$(LVS_PKGS))
