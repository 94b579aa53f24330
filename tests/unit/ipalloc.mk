# tests/unit/ipalloc.mk — table tests of failover/ipalloc*.c: CTDB's
# takeover test cases (ctdb/tests/UNIT/takeover/*.sh) and herd's own,
# plus the text formats of `herdctl ipalloc`. Pure, well under a second.
UNIT_TESTS += test_ipalloc
test_ipalloc_SRCS := failover/ipalloc.c failover/ipalloc_lcp2.c failover/ipalloc_text.c
