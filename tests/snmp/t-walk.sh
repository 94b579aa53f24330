# HERD-MIB over SNMP against a 3-node cluster: snmpwalk and snmpbulkwalk of
# the whole module over SNMPv2c and SNMPv3 (authPriv, SHA/AES) through a
# real snmpd (AgentX master on a unix socket), on two nodes. The four walks
# give the same objects; every readable object of the MIB is there with the
# type its SYNTAX says; every table has exactly the rows herdctl -j shows,
# and every value is what herdctl -j says (snapshots taken before and after
# the walk: stable values must equal one of them, counters lie between
# them); names resolve with the MIB (-m HERD-MIB, the IETF modules, mib/).
# Every mismatch is listed (object.instance, expected, got) before failing.
. "$(dirname "$0")/prelude.sh"
export CLUSTER_CLIENT=0 CLUSTER_LINKS=2 CLUSTER_IPV6=1 CLUSTER_QUIET=1
export CLUSTER_PUBLIC_ADDRESSES="10.92.0.101/24 pub0
10.92.0.102/24 pub0
10.92.0.103/24 pub0
fd92::150/64 pub0"
export CLUSTER_CONF_EXTRA="[cluster]\nrecovery lock = @SHARED@/reclock\n[monitor]\ninterval = 300ms
$SNMP_ROLES_CONF"
setup() { # K NODEDIR
	local d=$2/etc/events.d
	snmp_role_files "$2"
	mkdir -p "$d"
	printf '#!/bin/sh\necho "event $1 on node %s"\nexit 0\n' "$1" >"$d/10.hello"
	printf '#!/bin/sh\nexit 0\n' >"$d/20.notexec"
	chmod +x "$d/10.hello"
}
export CLUSTER_SETUP_HOOK=setup
cluster_up 3 || fail "cluster_up"
wait_for 15 "every node is OK" all_ok 0 1 2
# From now on the monitor runs once a minute: the scripts table and the
# monitor counters stay still during a walk. (The reload is an event too,
# and sets herdLocalLastReload.)
cluster_conf_set monitor interval 60s
for k in 0 1 2; do node_herdctl "$k" reload >/dev/null || fail "reload on node $k"; done
NODES="0 1"
for k in $NODES; do
	snmp_up "$k" || fail "snmp_up $k"
	t_agent[$k]=$(date +%s)
done
ok "snmpd, snmptrapd and herd-agentx run on nodes $NODES"

# Node events after herd-agentx started: their rows carry the node's
# previous and new state.
S0=()
for k in $NODES; do S0[k]=$(node_herdctl "$k" -j events --limit 1 | jq -r .next_seq); done
expect_rc 0 "disable node 2" -- node_herdctl 0 disable -n 2
wait_for 5 "node 2 is DISABLED" eval '[ "$(state_of 0 2)" = DISABLED ] && [ "$(state_of 1 2)" = DISABLED ]'
expect_rc 0 "enable node 2" -- node_herdctl 0 enable -n 2
wait_for 5 "node 2 is OK again" all_ok 0 1 2
wait_for 10 "the public addresses are settled" eval \
	'[ "$(node_herdctl 0 -j ip | jq "[.addresses[] | select(.pnn == null)] | length")" = 0 ]'
sleep 1

# ---- the walks -------------------------------------------------------------------
walks() { # K: four raw walks into $CLUSTER_DIR/walk.K.{v2c,v3}.{walk,bulk}
	local k=$1 a t f err
	for a in v2c v3; do
		for t in walk bulk; do
			f=$CLUSTER_DIR/walk.$k.$a.$t
			err=$f.err
			if [ $t = bulk ]; then
				SNMP_NODE=$k SNMP_AUTH=$a snmp_rawwalk bulk >"$f" 2>"$err" || fail "n$k: $a snmpbulkwalk failed: $(cat "$err")"
			else
				SNMP_NODE=$k SNMP_AUTH=$a snmp_rawwalk >"$f" 2>"$err" || fail "n$k: $a snmpwalk failed: $(cat "$err")"
			fi
			[ ! -s "$err" ] || fail "n$k: $a $t printed on stderr: $(cat "$err")"
			[ -s "$f" ] || fail "n$k: $a $t of herdMIB returned nothing"
			grep -q "No Such\|No more variables" "$f" && fail "n$k: $a $t: $(grep -m1 "No Such\|No more" "$f")"
		done
	done
}

# w NAME [INSTANCE]: the walk's value in REPLY.
w() { _wv "$@"; }

check_node() { # K
	local k=$1 a n i p l j key e s sq st cnt name got lo hi flags hosted addrs ix addr
	local rows lrows
	MISMATCHES=() CHECKED=0
	snap_clear
	snap b "$k" || fail "n$k: herdctl snapshot"
	sleep 2 # longer than herd-agentx's counter cache
	walks "$k"
	snap a "$k" || fail "n$k: herdctl snapshot"
	base=$CLUSTER_DIR/walk.$k.v2c.walk
	n=$(wc -l <"$base")
	ok "n$k: snmpwalk of herdMIB over v2c: $n varbinds"
	for a in v2c.bulk v3.walk v3.bulk; do
		if ! diff <(awk '{print $1}' "$base") <(awk '{print $1}' "$CLUSTER_DIR/walk.$k.$a") >"$CLUSTER_DIR/diff.$k"; then
			fail "n$k: $a walk has other objects than the v2c snmpwalk:
$(head -n 20 "$CLUSTER_DIR/diff.$k")"
		fi
	done
	ok "n$k: snmpbulkwalk (v2c), snmpwalk and snmpbulkwalk (v3 authPriv) give the same $n objects"
	walk_load "$CLUSTER_DIR/walk.$k.v3.bulk"

	check_types
	check_all_objects
	mismatches_report "n$k: every readable object is served with its type" || fail "n$k: objects or types"

	MISMATCHES=() CHECKED=0
	# ---- herdCluster
	want_obj herdClusterName 0 str status.cluster
	want_obj herdClusterThisNode 0 num status.pnn
	w herdClusterThisNode; want "herdClusterThisNode.0 is this node" "$REPLY" "$k"
	want_obj herdClusterLeader 0 pnn status.leader
	want_obj herdClusterActive 0 truth status.active
	want_obj herdClusterGeneration 0 num status.generation
	want_obj herdClusterRecoveryMode 0 enum:HerdRecoveryMode status.recovery_mode
	want_obj herdClusterLastRecoveryStart 0 date status.last_recovery_start
	want_obj herdClusterLastRecoveryFinish 0 date status.last_recovery_finish
	want_obj herdClusterLastRecoveryDuration 0 int0 status.last_recovery_duration_ms
	want_obj herdClusterRecoveryLock 0 str status.recovery_lock
	want_obj herdClusterRecoveryLockState 0 enum:HerdReclockState status.recovery_lock_state.state
	want_obj herdClusterRecoveryLockCause 0 enum:HerdReclockCause status.recovery_lock_state.cause
	want_obj herdClusterRecoveryLockHeld 0 truth status.recovery_lock_state.held
	want_obj herdClusterRecoveryLockLease 0 int0 status.recovery_lock_state.lease_ms
	want_obj herdClusterMaintenance 0 truth status.maintenance
	want_obj herdClusterMaintenanceUntil 0 date status.maintenance_until
	want_obj herdClusterNodeCount 0 num status.node_count
	for st in Ok Disconnected Banned Stopped Disabled Unhealthy PartiallyOnline Deleted; do
		cnt=0
		for i in ${JK[a.status.nodes]}; do
			[ "${JT[a.status.nodes.$i.state],,}" = "${st,,}" ] && cnt=$((cnt + 1))
		done
		w "herdClusterNodes$st"; want "herdClusterNodes$st.0 (status nodes[].state, counted)" "$REPLY" "$cnt"
	done
	want_obj herdClusterWarning 0 str status.warning
	# ---- herdLocal
	want_obj herdLocalVersion 0 str version.version
	want_obj herdLocalStartTime 0 date uptime.start_time
	lo=${J[b.uptime.uptime_seconds]%%.*} hi=${J[a.uptime.uptime_seconds]%%.*}
	w herdLocalUptime
	want_range "herdLocalUptime.0 (uptime.uptime_seconds, centiseconds)" "$REPLY" $(( lo * 100 - 200 )) $(( hi * 100 + 300 ))
	want_obj herdLocalLeading 0 truth status.leading
	want_obj herdLocalHealth 0 enum:HerdHealth status.health
	want_obj herdLocalHealthReason 0 str status.health_reason
	want_obj herdLocalStartupPhase 0 enum:HerdStartupPhase status.startup_phase
	want_obj herdLocalLastReload 0 date uptime.last_reload
	want_obj herdLocalLastReloadError 0 str uptime.last_reload_error

	# ---- herdNodeTable, herdLinkTable
	rows= lrows=
	for i in ${JK[a.status.nodes]}; do
		p=${J[a.status.nodes.$i.pnn]}
		rows+="$p"$'\n'
		key=status.nodes.$i
		want_obj herdNodeAddressType "$p" inettype "$key.addresses.0"
		want_obj herdNodeAddress "$p" inet "$key.addresses.0"
		addrs=
		for j in ${JK[a.$key.addresses]}; do addrs+=${addrs:+,}${JT[a.$key.addresses.$j]}; done
		w herdNodeAddresses "$p"; _hex2str "$REPLY"
		want "herdNodeAddresses.$p" "$REPLY" "$addrs"
		flags=${J[a.$key.flags]}
		w herdNodeFlags "$p"; _bits_num "$REPLY"
		want "herdNodeFlags.$p (status nodes[$i].flags as BITS)" "$REPLY" "$flags" "${J[b.$key.flags]}"
		want_obj herdNodeState "$p" enum:HerdNodeSummary "$key.state"
		w herdNodeCapabilities "$p"; _bits_num "$REPLY"
		want "herdNodeCapabilities.$p (as BITS)" "$REPLY" "${J[a.$key.capabilities]}"
		want_obj herdNodeIsThisNode "$p" truth "$key.this_node"
		want_obj herdNodeIsLeader "$p" truth "$key.leader"
		want_obj herdNodeBanTimeLeft "$p" int0 "$key.ban_seconds_left"
		if [ "${J[a.$key.this_node]}" = true ]; then
			want_obj herdNodeHealth "$p" enum:HerdHealth status.health
		else
			w herdNodeHealth "$p"
			if (( flags & 0x11 )); then want "herdNodeHealth.$p (disconnected or deleted: unknown)" "$REPLY" 1
			elif (( flags & 0x02 )); then want "herdNodeHealth.$p (unhealthy flag)" "$REPLY" 3
			else want "herdNodeHealth.$p (connected, not unhealthy)" "$REPLY" 2; fi
		fi
		want_obj herdNodeLastChange "$p" date "$key.changed"
		hosted=0
		for j in ${JK[a.ip.addresses]}; do [ "${J[a.ip.addresses.$j.pnn]}" = "$p" ] && hosted=$((hosted + 1)); done
		w herdNodeHostedAddresses "$p"; want "herdNodeHostedAddresses.$p (ip addresses[].pnn, counted)" "$REPLY" "$hosted"
		w herdNodeAdminState "$p"; want "herdNodeAdminState.$p (flags 0x04)" "$REPLY" "$(( flags & 4 ? 2 : 1 ))"
		for j in ${JK[a.$key.links]}; do
			l=${J[a.$key.links.$j.link]}
			lrows+="$p.$l"$'\n'
			want_obj herdLinkAddressType "$p.$l" inettype "$key.links.$j.address"
			want_obj herdLinkAddress "$p.$l" inet "$key.links.$j.address"
			want_obj herdLinkState "$p.$l" enum:HerdLinkOperState "$key.links.$j.state"
			if [ "${JT[a.$key.links.$j.state]}" = self ]; then
				for name in herdLinkRtt herdLinkKeepalivesMissed herdLinkLastChange herdLinkFramesIn \
					herdLinkFramesOut herdLinkBytesIn herdLinkBytesOut herdLinkUps herdLinkDowns; do
					w "$name" "$p.$l"; want "$name.$p.$l (this node's own link: absent)" "$REPLY" "<absent>"
				done
				continue
			fi
			w herdLinkRtt "$p.$l"; want_range "herdLinkRtt.$p.$l" "$REPLY" 0 10000000
			want_ctr herdLinkKeepalivesMissed "$p.$l" "$key.links.$j.keepalives_missed"
			want_obj herdLinkLastChange "$p.$l" date "$key.links.$j.changed"
			sq=
			for e in ${JK[a.statistics.peers.node$p.links]:-}; do
				[ "${J[a.statistics.peers.node$p.links.$e.link]}" = "$l" ] && sq=$e
			done
			if [ -z "$sq" ]; then mismatch "statistics peers.node$p" "has no link $l (test problem)"; continue; fi
			for name in frames_in:FramesIn frames_out:FramesOut bytes_in:BytesIn bytes_out:BytesOut ups:Ups downs:Downs; do
				want_ctr "herdLink${name#*:}" "$p.$l" "statistics.peers.node$p.links.$sq.${name%%:*}"
			done
		done
	done
	want_rows herdNodeState "$rows"
	want_rows herdLinkState "$lrows"

	# ---- herdScripts
	want_obj herdScriptEventsDir 0 str scriptstatus.events_dir
	rows= lrows=
	local eidx sidx
	for i in ${JK[a.scriptstatus.events]}; do
		e=${JT[a.scriptstatus.events.$i.event]}
		_str_idx "$e" implied; eidx=$REPLY
		rows+="$eidx"$'\n'
		key=scriptstatus.events.$i
		want_obj herdScriptRunStatus "$eidx" enum:HerdScriptResult "$key.status"
		want_obj herdScriptRunStart "$eidx" date "$key.start"
		_jconv us "a.$key.duration_ms"; lo=$(( REPLY - 1 )) hi=$(( REPLY + 1 ))
		w herdScriptRunDuration "$eidx"; want_range "herdScriptRunDuration.$eidx ($e)" "$REPLY" "$lo" "$hi"
		cnt=0; for j in ${JK[a.$key.scripts]}; do cnt=$((cnt + 1)); done
		w herdScriptRunScripts "$eidx"; want "herdScriptRunScripts.$eidx ($e)" "$REPLY" "$cnt"
		for j in ${JK[a.$key.scripts]}; do
			s=${JT[a.$key.scripts.$j.name]}
			_str_idx "$e"; sidx=$REPLY
			_str_idx "$s" implied; sq=$sidx.$REPLY
			lrows+="$sq"$'\n'
			want_obj herdScriptStatus "$sq" enum:HerdScriptResult "$key.scripts.$j.status"
			want_obj herdScriptExitStatus "$sq" num "$key.scripts.$j.exit_status"
			want_obj herdScriptSignal "$sq" num "$key.scripts.$j.signal"
			want_obj herdScriptStart "$sq" date "$key.scripts.$j.start"
			_jconv us "a.$key.scripts.$j.duration_ms"; lo=$(( REPLY - 1 )) hi=$(( REPLY + 1 ))
			w herdScriptDuration "$sq"; want_range "herdScriptDuration.$sq ($e/$s)" "$REPLY" "$lo" "$hi"
			want_obj herdScriptOutput "$sq" str "$key.scripts.$j.output"
			want_obj herdScriptOutputTruncated "$sq" truth "$key.scripts.$j.output_truncated"
		done
	done
	want_rows herdScriptRunStatus "$rows"
	want_rows herdScriptStatus "$lrows"

	# ---- herdStatistics
	w herdControlClients; want_range "herdControlClients.0" "$REPLY" 1 20
	for name in accepted:Accepted refused:Refused requests:Requests denied:Denied bad_frames:BadFrames unknown_verbs:UnknownVerbs; do
		want_ctr "herdControl${name#*:}" 0 "statistics.control.${name%%:*}"
	done
	rows=
	for e in ${JK[a.statistics.control.by_verb]}; do
		_str_idx "$e" implied
		rows+="$REPLY"$'\n'
		want_ctr herdControlVerbRequests "$REPLY" "statistics.control.by_verb.$e"
	done
	want_rows herdControlVerbRequests "$rows"
	want_ctr herdStatsReloads 0 statistics.reloads
	want_ctr herdStatsReloadFailures 0 statistics.reload_failures
	for name in elections:Elections leader_changes:LeaderChanges recoveries:Recoveries \
		recovery_timeouts:RecoveryTimeouts bans:Bans lock_contended:LockContended \
		controls_in:ControlsIn controls_bad:ControlsBad last_recovery_ms:LastRecoveryTime \
		max_recovery_ms:MaxRecoveryTime; do
		want_ctr "herdStats${name#*:}" 0 "statistics.cluster.${name%%:*}"
	done
	for name in frames_in:FramesIn frames_out:FramesOut bytes_in:BytesIn bytes_out:BytesOut accepts:Accepts; do
		want_ctr "herdTransport${name#*:}" 0 "statistics.transport.${name%%:*}"
	done
	rows=
	for e in ${JK[a.statistics.transport.drops]}; do
		_mib_enum HerdDropReason "$e"
		[ -n "$REPLY" ] || { mismatch "statistics transport.drops.$e" "no HerdDropReason label"; continue; }
		rows+="$REPLY"$'\n'
		want_ctr herdTransportDrops "$REPLY" "statistics.transport.drops.$e"
	done
	want_rows herdTransportDrops "$rows"
	rows=
	for e in ${JK[a.statistics.peers]}; do
		p=${e#node}
		rows+="$p"$'\n'
		want_obj herdPeerLinksUp "$p" num "statistics.peers.$e.links_up"
		for name in frames_in:FramesIn frames_out:FramesOut bytes_in:BytesIn bytes_out:BytesOut \
			keepalives_in:KeepalivesIn keepalives_out:KeepalivesOut keepalives_missed:KeepalivesMissed \
			connects:Connects disconnects:Disconnects; do
			want_ctr "herdPeer${name#*:}" "$p" "statistics.peers.$e.${name%%:*}"
		done
		w herdPeerRtt "$p"; want_range "herdPeerRtt.$p" "$REPLY" 0 10000000
	done
	want_rows herdPeerFramesIn "$rows"
	for name in runs:Runs failed:Failed timedout:TimedOut overruns:Overruns health_changes:HealthChanges last_run_ms:LastRunTime; do
		want_ctr "herdMonitor${name#*:}" 0 "statistics.monitor.${name%%:*}"
	done
	for name in takeover_runs:TakeoverRuns takeover_runs_incomplete:TakeoverRunsIncomplete \
		last_takeover_run_ms:LastTakeoverRunTime max_takeover_run_ms:MaxTakeoverRunTime \
		takeovers:Takeovers releases:Releases updates:Updates take_failures:TakeFailures \
		arp_rounds:ArpRounds arp_failures:ArpFailures tickles_sent:TicklesSent \
		connections_handed_over:ConnectionsHandedOver; do
		want_ctr "herdFailover${name#*:}" 0 "statistics.failover.${name%%:*}"
	done
	want_obj herdFailoverPublicAddresses 0 num statistics.failover.public_addresses
	want_obj herdFailoverHostedAddresses 0 num statistics.failover.hosted_addresses
	want_ctr herdRolesApplies 0 statistics.roles.applies
	want_ctr herdRolesFailures 0 statistics.roles.failures

	# ---- herdEvents
	want_ctr herdEventsNextSeq 0 events.next_seq
	want_ctr herdEventsDropped 0 events.dropped
	rows=
	local flagev=" healthy unhealthy node-connected node-disconnected node-banned node-unbanned node-disabled node-enabled node-stopped node-continued "
	for i in ${JK[a.events.events]}; do
		sq=${J[a.events.events.$i.seq]}
		rows+="$sq"$'\n'
		key=events.events.$i
		w herdEventSeq "$sq"; want "herdEventSeq.$sq" "$REPLY" "$sq"
		w herdEventTime "$sq"; _sconv date "$REPLY"
		want "herdEventTime.$sq (events[].wall_us, to the second)" "$REPLY" "$(( ${J[a.$key.wall_us]} / 1000000 ))"
		w herdEventNode "$sq"; got=$REPLY; _jconv pnn "a.$key.node"; want "herdEventNode.$sq" "$got" "$REPLY"
		w herdEventReporter "$sq"; got=$REPLY; _jconv pnn "a.$key.reporter"; want "herdEventReporter.$sq" "$got" "$REPLY"
		e=${JT[a.$key.type]}
		w herdEventType "$sq"; got=$REPLY; _mib_enum HerdEventClass "$e"; want "herdEventType.$sq ($e)" "$got" "$REPLY"
		w herdEventSeverity "$sq"; got=$REPLY; _jconv enum:HerdSeverity "a.$key.severity"; want "herdEventSeverity.$sq" "$got" "$REPLY"
		w herdEventSubject "$sq"; got=$REPLY; _jconv str "a.$key.subject"; want "herdEventSubject.$sq" "$got" "$REPLY"
		w herdEventDetail "$sq"; got=$REPLY; _jconv str "a.$key.detail"; want "herdEventDetail.$sq" "$got" "$REPLY"
		if [[ $flagev != *" $e "* ]]; then
			w herdEventNodePrevState "$sq"; want "herdEventNodePrevState.$sq ($e: not a node state event)" "$REPLY" "<absent>"
			w herdEventNodeState "$sq"; want "herdEventNodeState.$sq ($e: not a node state event)" "$REPLY" "<absent>"
			continue
		fi
		if [ "$sq" -lt "${S0[k]}" ]; then # before herd-agentx read herdd's state
			w herdEventNodePrevState "$sq"; want "herdEventNodePrevState.$sq ($e, before herd-agentx started)" "$REPLY" "<absent>"
			w herdEventNodeState "$sq"; want "herdEventNodeState.$sq ($e, before herd-agentx started)" "$REPLY" "<absent>"
			continue
		fi
		case $e in
		node-disabled) w herdEventNodePrevState "$sq"; want "herdEventNodePrevState.$sq ($e)" "$REPLY" 1
			w herdEventNodeState "$sq"; want "herdEventNodeState.$sq ($e)" "$REPLY" 5 ;;
		node-enabled) w herdEventNodePrevState "$sq"; want "herdEventNodePrevState.$sq ($e)" "$REPLY" 5
			w herdEventNodeState "$sq"; want "herdEventNodeState.$sq ($e)" "$REPLY" 1 ;;
		*) w herdEventNodePrevState "$sq"; want_range "herdEventNodePrevState.$sq ($e)" "$REPLY" 1 8
			w herdEventNodeState "$sq"; want_range "herdEventNodeState.$sq ($e)" "$REPLY" 1 8 ;;
		esac
	done
	# herd-agentx may keep fewer events than herdd: then its rows are the newest.
	local got_rows nr
	got_rows=$(instances herdEventType | sort -n)
	nr=$(printf '%s\n' "$got_rows" | sed '/^$/d' | wc -l)
	if [ "$nr" -lt "$(printf '%s' "$rows" | wc -l)" ]; then
		want "rows of herdEventTable: the newest $nr events" "$(echo $got_rows)" \
			"$(printf '%s' "$rows" | sort -n | tail -n "$nr" | tr '\n' ' ' | sed 's/ $//')"
	else
		want_rows herdEventType "$rows"
	fi

	# ---- herdPublicAddrs, herdInterfaces
	want_obj herdPublicAddrAssigned 0 date ip.assigned
	rows=
	local pn ifs
	for i in ${JK[a.ip.addresses]}; do
		addr=${JT[a.ip.addresses.$i.address]}
		_inet_idx "$addr"; ix=$REPLY
		rows+="$ix"$'\n'
		key=ip.addresses.$i
		want_obj herdPublicAddrPrefixLength "$ix" num "$key.prefix"
		want_obj herdPublicAddrNode "$ix" pnn "$key.pnn"
		pn=()
		for j in ${JK[a.$key.may_host]}; do pn+=("${J[a.$key.may_host.$j]}"); done
		_nodeset_hex "${pn[@]}"; got=$REPLY
		w herdPublicAddrMayHost "$ix"; want "herdPublicAddrMayHost.$ix ($addr)" "$REPLY" "$got"
		for name in interfaces:Interfaces available_interfaces:AvailableInterfaces; do
			ifs=
			for j in ${JK[a.$key.${name%%:*}]}; do ifs+=${ifs:+,}${JT[a.$key.${name%%:*}.$j]}; done
			w "herdPublicAddr${name#*:}" "$ix"; _hex2str "$REPLY"
			want "herdPublicAddr${name#*:}.$ix ($addr)" "$REPLY" "$ifs"
		done
		want_obj herdPublicAddrActiveInterface "$ix" str "$key.active_interface"
		want_obj herdPublicAddrRuntime "$ix" truth "$key.runtime"
	done
	want_rows herdPublicAddrNode "$rows"
	want_obj herdIfHealth 0 enum:HerdInterfacesHealth ifaces.health
	rows=
	for i in ${JK[a.ifaces.interfaces]}; do
		_str_idx "${JT[a.ifaces.interfaces.$i.name]}" implied; ix=$REPLY
		rows+="$ix"$'\n'
		want_obj herdIfLinkState "$ix" enum:HerdInterfaceLink "ifaces.interfaces.$i.link"
		want_obj herdIfReferences "$ix" num "ifaces.interfaces.$i.references"
	done
	want_rows herdIfLinkState "$rows"

	# ---- herdNatgw, herdLvs
	want_obj herdNatgwConfigured 0 truth natgw.configured
	want_obj herdNatgwRole 0 enum:HerdNatgwNodeRole natgw.role
	want_obj herdNatgwMaster 0 pnn natgw.master
	want_obj herdNatgwMasterAddressType 0 inettype natgw.master_address
	want_obj herdNatgwMasterAddress 0 inet natgw.master_address
	want_obj herdNatgwPublicAddressType 0 inettype natgw.public_address
	want_obj herdNatgwPublicAddress 0 inet natgw.public_address
	want_obj herdNatgwApplied 0 str natgw.applied
	want_obj herdNatgwError 0 str natgw.error
	want_obj herdLvsConfigured 0 truth lvs.configured
	want_obj herdLvsRole 0 enum:HerdLvsNodeRole lvs.role
	want_obj herdLvsMaster 0 pnn lvs.master
	want_obj herdLvsAddressType 0 inettype lvs.address
	want_obj herdLvsAddress 0 inet lvs.address
	want_obj herdLvsInterface 0 str lvs.interface
	want_obj herdLvsKernelIpvs 0 truth lvs.kernel_ipvs
	want_obj herdLvsDryRun 0 truth lvs.dry_run
	want_obj herdLvsCommands 0 str lvs.commands
	want_obj herdLvsError 0 str lvs.error
	local tn tv
	for tn in Natgw:natgw Lvs:lvs; do
		tv=${tn#*:} tn=${tn%%:*}
		rows=
		for i in ${JK[a.$tv.nodes]}; do
			_inet_idx "${JT[a.$tv.nodes.$i.address]}"; ix=$REPLY
			rows+="$ix"$'\n'
			want_obj "herd${tn}NodePnn" "$ix" pnn "$tv.nodes.$i.pnn"
			want_obj "herd${tn}NodeSlaveOnly" "$ix" truth "$tv.nodes.$i.slave_only"
			want_obj "herd${tn}NodeState" "$ix" str "$tv.nodes.$i.state"
			[ "$tn" = Natgw ] || want_obj herdLvsNodeInSet "$ix" truth "lvs.nodes.$i.in_set"
		done
		want_rows "herd${tn}NodePnn" "$rows"
	done

	# ---- herdAgent
	w herdAgentHerddConnected; want "herdAgentHerddConnected.0" "$REPLY" 1
	w herdAgentHerddConnects; want "herdAgentHerddConnects.0 (connected once)" "$REPLY" 1
	w herdAgentLastSync; _sconv date "$REPLY"
	want_range "herdAgentLastSync.0 (since herd-agentx started)" "$REPLY" "$(( t_agent[k] - 12 ))" "$(date +%s)"
	w herdAgentNotificationsSent; want_range "herdAgentNotificationsSent.0 (herdAgentRestarted at least)" "$REPLY" 1 100000
	w herdAgentNotificationsDropped; want "herdAgentNotificationsDropped.0" "$REPLY" 0
	w herdAgentNotificationsQueued; want "herdAgentNotificationsQueued.0" "$REPLY" 0
	w herdAgentVarbinds; want_range "herdAgentVarbinds.0 (the walks so far)" "$REPLY" 100 1000000000
	w herdAgentHandlingTime
	want_range "herdAgentHandlingTime.0 (µs, within herd-agentx's lifetime)" "$REPLY" 1 \
		"$(( ($(date +%s) - t_agent[k] + 2) * 1000000 ))"

	mismatches_report "n$k: values against herdctl -j" || fail "n$k: herd-agentx serves values that differ from herdctl -j"
}

# ---- names resolve with the MIB --------------------------------------------------
check_names() { # K
	local k=$1 a out bad n
	if ! snmp_names; then
		echo "# names not checked: no IETF MIB modules (HERD_IETF_MIBS, ../shared/mibs)"
		return 0
	fi
	for a in v2c v3; do
		out=$(SNMP_NODE=$k SNMP_AUTH=$a snmp_bulkwalk HERD-MIB::herdMIB 2>&1) || fail "n$k: $a snmpbulkwalk herdMIB with the MIB: $out"
		# (a multi-line string value continues on lines of its own)
		n=$(grep -c '^HERD-MIB::herd[A-Za-z]*\.[^ ]* = ' <<<"$out")
		bad=$(grep -E '^[^ ]+ = [A-Za-z0-9-]+:' <<<"$out" | grep -v '^HERD-MIB::herd' | head -n 5)
		[ -z "$bad" ] || fail "n$k: $a: lines whose name does not resolve in HERD-MIB:
$bad"
		expect_eq "$n" "$(wc -l <"$CLUSTER_DIR/walk.$k.v2c.walk")" "n$k: $a walk with -m HERD-MIB names every varbind HERD-MIB::herd..."
	done
	out=$(SNMP_NODE=$k snmp_get HERD-MIB::herdClusterName.0 HERD-MIB::herdNodeState.0 \
		HERD-MIB::herdNodeState.1 HERD-MIB::herdNodeState.2)
	expect_match "$out" '^"?test"?' "n$k: snmpget herdClusterName.0 by name"
	expect_eq "$(sed -n 2,4p <<<"$out" | tr '\n' ' ')" "ok ok ok " "n$k: herdNodeState.N by name shows the enumeration labels"
	if command -v snmptable >/dev/null; then
		out=$(SNMP_NODE=$k snmp_cmd "$k" snmptable -v2c -c "$SNMP_COMMUNITY" -M "$SNMP_MIBDIRS" -m HERD-MIB \
			-Cb -Cf ' ' "127.0.0.1:$SNMP_PORT" HERD-MIB::herdNodeTable 2>&1) || fail "n$k: snmptable herdNodeTable: $out"
		expect_eq "$(grep -c ' ok ' <<<"$out")" 3 "n$k: snmptable herdNodeTable shows three ok nodes"
		echo "$out" | sed 's/^/#   /' | head -n 6
	fi
}

# herdAgentVarbinds counts each answered varbind once: a GET of four
# objects (two groups, a table) between two GETs of the counter adds 5
# (the four, and the first GET's own).
check_counting() { # K
	local k=$1 v1 v2
	v1=$(SNMP_NODE=$k SNMP_AUTH=v2c snmp_rawget "${MIB_OID[herdAgentVarbinds]}.0")
	SNMP_NODE=$k SNMP_AUTH=v2c snmp_rawget "${MIB_OID[herdClusterName]}.0" "${MIB_OID[herdClusterThisNode]}.0" \
		"${MIB_OID[herdAgentHerddConnected]}.0" "${MIB_OID[herdNodeState]}.1" >/dev/null
	v2=$(SNMP_NODE=$k SNMP_AUTH=v2c snmp_rawget "${MIB_OID[herdAgentVarbinds]}.0")
	expect_eq "$(( v2 - v1 ))" 5 "n$k: herdAgentVarbinds.0 counts each answered varbind once"
}

for k in $NODES; do
	check_node "$k"
	check_names "$k"
	check_counting "$k"
done
for k in $NODES; do
	snmp_down "$k" || fail "n$k: herd-agentx did not exit 0 on SIGTERM"
done
ok "herd-agentx exits 0 on SIGTERM"
cluster_down || fail "cluster_down"
ok "done"
