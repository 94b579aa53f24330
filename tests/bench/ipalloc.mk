# tests/bench/ipalloc.mk — bench_ipalloc, which tests/bench/ipalloc.sh runs
# (make bench): time and memory of the leader's takeover decision
# (failover/takeover.c + ipalloc) on 64 x 1,024 and 256 x 8,192
# node x address clusters. Built by `make tests`; `make check` never runs
# it (it prints figures, it does not pass or fail).
BENCH_PROGRAMS += $(BUILD)/tests/bench_ipalloc
bench_ipalloc_SRCS := tests/bench/bench_ipalloc.c failover/takeover.c failover/ipalloc.c \
	failover/ipalloc_lcp2.c agentd/util.c

$(BUILD)/tests/bench_ipalloc: $(call obj,$(bench_ipalloc_SRCS))
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(HERD_LDFLAGS) $(LDFLAGS) -o $@ $^

# (tests: depends on it here, so the fragment may be included anywhere.)
.PHONY: tests
tests: $(BUILD)/tests/bench_ipalloc
