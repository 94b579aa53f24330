# tests/unit/natgw.mk — the NAT gateway (failover/natgw*.c).
#
# test_natgw: the pure part as tables — CTDB's master selection, the role
# from configuration and state, each role's plan and the nft script as
# golden text. Well under a second.
UNIT_TESTS += test_natgw
test_natgw_SRCS := $(NATGW_PURE_SRCS) agentd/addr.c

# test_natgw_apply: plans into the real kernel inside a private network
# namespace (links "pub" and "priv"), checked with `nft -j list
# ruleset` and `ip -j route` run inside it. Needs root and the nft and ip
# tools (skipped otherwise); about a second.
UNIT_TESTS += test_natgw_apply
test_natgw_apply_SRCS := $(NATGW_SRCS) failover/ipaddr.c failover/nlerr.c agentd/addr.c \
	tests/unit/netns.c
test_natgw_apply_PKGS := $(NATGW_PKGS) json-c
$(BUILD)/obj/tests/unit/test_natgw_apply.o: EXTRA_CFLAGS += $(call pkg_cflags,$(NATGW_PKGS))
