# tests/unit/lvs.mk — LVS (failover/lvs*.c).
#
# test_lvs: the pure rules with tables — CTDB's set and master selection,
# roles, per-role plans as golden text. Well under a second.
UNIT_TESTS += test_lvs
test_lvs_SRCS := failover/lvs.c

# test_lvs_apply: the applier in a private network namespace with a veth
# pair (root; skipped otherwise): dry-run command records, the address on
# lo (scope host) or the public interface, the ARP sysctls, the ipvsadm
# runner with a stand-in script, and real IPVS when /proc/net/ip_vs exists
# (skipped with a message otherwise). About a second.
UNIT_TESTS += test_lvs_apply
test_lvs_apply_SRCS := $(LVS_SRCS) failover/ipaddr.c failover/nlerr.c agentd/util.c \
	tests/unit/netns.c
test_lvs_apply_PKGS := $(LVS_PKGS)
$(BUILD)/obj/tests/unit/test_lvs_apply.o: EXTRA_CFLAGS += $(call pkg_cflags,$(LVS_PKGS))
