# tests/unit/failing.mk — the set of failing collectors (collectors/failing.c)
# as tables: one monitor run in, collector-failed / -recovered changes out.
# Pure; eventscripts.c and script.c (and agentd/child.c under it) are linked
# only for the wording of why a script failed (eventscripts_run_reason).
UNIT_TESTS += test_failing
test_failing_SRCS := collectors/failing.c collectors/eventscripts.c collectors/script.c \
	agentd/child.c conf/value.c agentd/addr.c agentd/util.c
test_failing_PKGS := libsystemd
