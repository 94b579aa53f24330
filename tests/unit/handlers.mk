# tests/unit/handlers.mk — the notify.d handler runner (notify.d/handlers*.c)
# with real /bin/sh handlers in a temporary directory on a real sd-event
# loop (test_handlers: argv/env contract, order, leftovers, timeouts,
# parallelism, queue overflow, descriptors, test reports; a few seconds),
# and its pure parts (test_handlers_pure: the name filter, the
# environment, the JSON; instant). Also checks the shipped examples.
UNIT_TESTS += test_handlers test_handlers_pure
test_handlers_SRCS := tests/unit/helpers.c $(NOTIFY_HANDLERS_SRCS) agentd/event.c agentd/log.c \
	agentd/util.c
test_handlers_PKGS := $(NOTIFY_HANDLERS_PKGS)
test_handlers_pure_SRCS := $(NOTIFY_HANDLERS_SRCS) agentd/event.c agentd/log.c agentd/util.c
test_handlers_pure_PKGS := $(NOTIFY_HANDLERS_PKGS)
