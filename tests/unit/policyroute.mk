# tests/unit/policyroute.mk — per-IP policy routing (failover/policyroute*.c).
#
# test_policyroute: the pure decisions by tables of cases (table ids,
# exhaustion and reuse, the plan for IPv4 and IPv6, the start-up sweep).
# Well under a second.
UNIT_TESTS += test_policyroute
test_policyroute_SRCS := failover/policyroute.c agentd/addr.c

# test_policyroute_apply: rules and routes in the kernel, checked with the
# kernel's own view (`ip rule show`, `ip route show table N`), inside a
# private network namespace with a veth pair (root; skipped otherwise).
# About a second.
UNIT_TESTS += test_policyroute_apply
test_policyroute_apply_SRCS := $(POLICYROUTE_SRCS) failover/ipaddr.c failover/nlerr.c agentd/addr.c \
	tests/unit/netns.c
test_policyroute_apply_PKGS := $(POLICYROUTE_PKGS)
$(BUILD)/obj/tests/unit/test_policyroute_apply.o: EXTRA_CFLAGS += $(call pkg_cflags,$(POLICYROUTE_PKGS))
