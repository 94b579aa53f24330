# tests/unit/elect.mk — unit tests for leader election and the recovery lock
# manager. test_reclock drives agentd/reclock.c on a real sd-event loop
# against the real helper ($(BUILD)/herd-reclock, or $HERD_BUILD/herd-reclock
# when run by tests/run.sh); it skips itself when the helper is missing.

UNIT_TESTS += test_elect test_reclock
test_elect_SRCS := agentd/elect.c
test_reclock_SRCS := agentd/reclock.c agentd/log.c agentd/util.c
test_reclock_PKGS := libsystemd

# `make tests` also builds the helper test_reclock runs.
$(BUILD)/tests/test_reclock: | $(BUILD)/herd-reclock
