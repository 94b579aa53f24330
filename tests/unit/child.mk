# tests/unit/child.mk — the child-process runner (agentd/child.c) with real
# /bin/sh scripts in a temporary directory on a real sd-event loop: argv,
# exit and signals, exec errors, the timeout with and without a SIGTERM
# grace (whole group), output limits, the environment as given, descriptors,
# kill, free while running, parent death; names and outcome texts as
# tables. About 3 s.
UNIT_TESTS += test_child
test_child_SRCS := tests/unit/helpers.c agentd/child.c agentd/util.c
test_child_PKGS := libsystemd
