# tests/unit/conf.mk — conf/'s files for the NAT gateway, LVS and policy
# routing: the role nodes files (conf/rolenodes.c) and the policy routing
# file (conf/routes.c), as tables of file text in, entries or the exact
# message out. The rest of conf/ is in tests/Makefile.inc. Instant.
UNIT_TESTS += test_conf_rolenodes test_conf_routes
test_conf_rolenodes_SRCS := conf/rolenodes.c conf/nodes.c conf/cfile.c conf/value.c \
	agentd/addr.c
test_conf_routes_SRCS := conf/routes.c conf/pubaddr.c conf/nodes.c conf/cfile.c conf/value.c \
	agentd/addr.c
