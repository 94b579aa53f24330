# failover/policyroute.mk — per-IP policy routing (CTDB's 13.per_ip_routing):
# the pure decisions (policyroute.c: table ids, the rule and routes of an
# address, which rules at start-up are leftovers) and the rtnetlink layer
# that applies them (policyroute_apply.c, libnl-route-3).
#
# herdd links these (agentd/Makefile.inc lists them by name: this fragment
# is read after it); the unit tests use $(POLICYROUTE_SRCS) with nlerr.c
# (failover/ipnl.mk) and agentd/addr.c.

POLICYROUTE_SRCS := failover/policyroute.c failover/policyroute_apply.c
POLICYROUTE_PKGS := libnl-route-3.0

# libnl's headers live under /usr/include/libnl3: only this object needs them.
$(call obj,failover/policyroute_apply.c): EXTRA_CFLAGS += $(call pkg_cflags,$(POLICYROUTE_PKGS))
