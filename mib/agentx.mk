# mib/agentx.mk — herd-agentx, the AgentX subagent serving HERD-MIB.
# Included by the top-level GNUmakefile (mib/*.mk).
#
#   mib/agentx.c        main(): options, configuration, the glue
#   mib/agentx_herdd.c  the two connections to herdd (requests, events)
#   mib/agentx_model.c  herdd's JSON as SNMP values, rows, notifications (pure)
#   mib/agentx_mib.c    HERD-MIB as data: OIDs, sources, indexes (pure)
#   mib/agentx_enc.c    BITS, DateAndTime, InetAddress, index encodings (pure)
#   mib/agentx_snmp.c   net-snmp: registrations, handlers, tdata rows, traps
#   mib/agentx_loop.c   net-snmp's descriptors and alarms on sd-event
#
# Linked with -lnetsnmpagent -lnetsnmp only: `net-snmp-config --agent-libs`
# drags in perl, sensors and more (../shared/DESIGN.md).

AGENTX_PURE_SRCS := mib/agentx_model.c mib/agentx_mib.c mib/agentx_enc.c
AGENTX_SRCS := mib/agentx.c mib/agentx_herdd.c mib/agentx_snmp.c mib/agentx_loop.c \
	$(AGENTX_PURE_SRCS) agentd/ctlclient.c
AGENTX_PKGS := libsystemd json-c
AGENTX_LIBS := -lnetsnmpagent -lnetsnmp

PROGRAMS += $(BUILD)/herd-agentx

$(BUILD)/herd-agentx: $(call obj,$(AGENTX_SRCS) $(CONF_SRCS) $(BASE_SRCS))
	$(call say,LD,$@)$(CC) $(HERD_LDFLAGS) $(LDFLAGS) -o $@ $^ $(call pkg_libs,$(AGENTX_PKGS)) $(AGENTX_LIBS)
