# tests/unit/agentx.mk — herd-agentx's pure parts: the SNMP encodings
# (BITS, DateAndTime, InetAddress, indexes, enumeration labels) and the model
# (herdd's JSON to scalar values, table rows and notifications), checked
# against mib/HERD-MIB.txt itself (test_agentx_model reads it: run from the
# top of the tree). No net-snmp, no daemon; well under a second.
UNIT_TESTS += test_agentx_enc test_agentx_model
test_agentx_enc_SRCS := mib/agentx_enc.c agentd/util.c
test_agentx_model_SRCS := mib/agentx_model.c mib/agentx_mib.c mib/agentx_enc.c agentd/state.c \
	agentd/event.c agentd/addr.c agentd/util.c
test_agentx_model_PKGS := json-c
