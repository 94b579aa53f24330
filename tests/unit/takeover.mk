# tests/unit/takeover.mk — table tests of failover/takeover.c (one
# takeover run's decision) and agentd/ipop.c (the public-address opcode
# bodies: round trips, every truncation, bad counts). Pure, instant.
UNIT_TESTS += test_takeover
test_takeover_SRCS := failover/takeover.c failover/ipalloc.c failover/ipalloc_lcp2.c \
	agentd/ipop.c agentd/clusterop.c agentd/buf.c agentd/addr.c agentd/util.c
