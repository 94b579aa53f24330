# tests/unit/evlog.mk — the event log (notify.d/evlog.c) against real TDB
# files in a temporary directory: records, filters, count and age bounds
# (injected clock), restart continuity in every sync mode, corrupt records
# skipped, a crashed NONE-mode writer's header rebuilt. About a second.
UNIT_TESTS += test_evlog
test_evlog_SRCS := $(EVLOG_SRCS) agentd/event.c agentd/buf.c agentd/util.c
test_evlog_PKGS := $(EVLOG_PKGS)
$(BUILD)/obj/tests/unit/test_evlog.o: EXTRA_CFLAGS += $(call pkg_cflags,$(EVLOG_PKGS))

# The digest (notify.d/digest.c): range parsing tables and golden reports
# (tests/unit/digest/*.txt) over a synthetic event log, for every range and
# detail level. Run from the top of the tree (it reads the golden files);
# DIGEST_UPDATE=1 rewrites them.
UNIT_TESTS += test_digest
test_digest_SRCS := $(DIGEST_SRCS) agentd/event.c agentd/util.c
