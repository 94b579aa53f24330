# failover/ipnl.mk — the thin netlink/raw-socket layer that applies IP
# decisions on a node: addresses (ipaddr), gratuitous ARP / unsolicited NA
# (arp), interface link monitoring on sd-event (iflink), libnl error
# mapping (nlerr) and the pure interface-health rule (ifhealth).
#
# herdd links these (agentd/Makefile.inc lists them by name: this fragment
# is read after it); the unit tests use $(FAILOVER_NL_SRCS).

FAILOVER_NL_SRCS := failover/ipaddr.c failover/arp.c failover/iflink.c failover/nlerr.c \
	failover/ifhealth.c failover/tickle.c
FAILOVER_NL_PKGS := libnl-route-3.0

# libnl's headers live under /usr/include/libnl3: only these objects need them.
$(call obj,$(FAILOVER_NL_SRCS)): EXTRA_CFLAGS += $(call pkg_cflags,$(FAILOVER_NL_PKGS))
