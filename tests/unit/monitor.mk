# tests/unit/monitor.mk — unit tests of collectors/: the script runner and
# events.d (test_script), the health rule (test_monitor_health, pure) and
# the monitor's start-up and loop with the [monitor] keys (test_monitor).
# They run real /bin/sh scripts in a temporary directory on a real sd-event
# loop; together they take a few seconds.
UNIT_TESTS += test_script test_monitor_health test_monitor
test_script_SRCS := tests/unit/helpers.c collectors/script.c agentd/child.c collectors/eventscripts.c conf/value.c agentd/addr.c agentd/util.c
test_script_PKGS := libsystemd
test_monitor_health_SRCS := collectors/health.c
test_monitor_SRCS := tests/unit/helpers.c collectors/monitor.c collectors/eventscripts.c \
	collectors/script.c agentd/child.c \
	collectors/health.c collectors/failing.c $(CONF_SRCS) agentd/log.c agentd/util.c agentd/addr.c agentd/event.c
test_monitor_PKGS := libsystemd
