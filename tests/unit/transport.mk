# tests/unit/transport.mk — the cluster transport (agentd/transport.c,
# agentd/peer.c) over real sockets, inside a network namespace of its own
# (tests/unit/netns.c, which needs libnl and failover/nlerr.c).
UNIT_TESTS += test_transport
test_transport_SRCS := agentd/transport.c agentd/peer.c agentd/auth.c agentd/proto.c \
	agentd/buf.c agentd/state.c agentd/addr.c agentd/log.c agentd/util.c \
	tests/unit/netns.c failover/nlerr.c
test_transport_PKGS := libsystemd libcrypto libnl-route-3.0
