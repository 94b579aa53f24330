# tests/bench/notify.mk — bench_evlog, which tests/bench/notify.sh runs
# (make bench): events/s the persistent event log (notify.d/evlog.c)
# appends in each crash-safety mode and reads back, and its open times
# after a clean close and after a crash. Built by `make tests`; `make
# check` never runs it (it prints figures, it does not pass or fail).
BENCH_PROGRAMS += $(BUILD)/tests/bench_evlog
bench_evlog_SRCS := tests/bench/bench_evlog.c $(EVLOG_SRCS) agentd/event.c agentd/buf.c \
	agentd/util.c

$(call obj,tests/bench/bench_evlog.c): EXTRA_CFLAGS += $(call pkg_cflags,$(EVLOG_PKGS))

$(BUILD)/tests/bench_evlog: $(call obj,$(bench_evlog_SRCS))
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(HERD_LDFLAGS) $(LDFLAGS) -o $@ $^ $(call pkg_libs,$(EVLOG_PKGS))

# (tests: depends on it here, so the fragment may be included anywhere.)
.PHONY: tests
tests: $(BUILD)/tests/bench_evlog
