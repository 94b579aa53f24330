# Every notification herdd can cause, through herd-agentx and a real snmpd
# (AgentX master) to a real snmptrapd, on a 3-node cluster with the SNMP
# stack on every node. A killed node shows as disconnected in the node
# table within the detection bound, and the node-disconnected notification
# carries the right varbinds. Then each event class is caused in turn (ban,
# disable, stop, a failing monitor (the node's health and the failing
# script as a collector), a lost private link, a lost recovery
# lock, a banned leader, moveip, a public interface down, NAT gateway and LVS
# master changes, maintenance, reloads, herdd's start-up and shutdown) and
# its notification is checked against herdctl -j events on the node that
# sent it: the trap OID, the eight common varbinds in order with the event
# row's instances, and the objects that say what changed. herd-agentx's own
# herdAgentRestarted / HerddDown / HerddUp are checked too. Events herdd
# cannot emit would be listed as skipped, with the reason (none now).
. "$(dirname "$0")/prelude.sh"
KA_MS=100 KA_LIMIT=3
export CLUSTER_CLIENT=0 CLUSTER_LINKS=2 CLUSTER_QUIET=1
export CLUSTER_PUBLIC_ADDRESSES="10.92.0.101/24 pub0
10.92.0.102/24 pub0
10.92.0.103/24 pub0"
export CLUSTER_CONF_EXTRA="[cluster]\nrecovery lock = @SHARED@/reclock\nrecovery ban period = 60s
[membership]\nkeepalive interval = ${KA_MS}ms\nkeepalive limit = $KA_LIMIT
[monitor]\ninterval = 300ms\nstartup retry = 200ms\nscript timeout = 2s
$SNMP_ROLES_CONF"
# Node 0's init event waits for a file, so that its herd-agentx is there
# when init, setup and startup happen. A monitor script fails while
# NODEDIR/broken exists.
setup() { # K NODEDIR
	local d=$2/etc/events.d
	snmp_role_files "$2"
	mkdir -p "$d"
	cat >"$d/00.gate" <<SH
#!/bin/sh
case "\$1" in
init) [ "$1" != 0 ] || [ -e "$2/init-ok" ] || { echo "waiting for the test"; exit 1; } ;;
monitor) [ ! -e "$2/broken" ] || { echo "service check failed"; exit 1; } ;;
esac
exit 0
SH
	chmod +x "$d/00.gate"
}
export CLUSTER_SETUP_HOOK=setup
cluster_up 3 || fail "cluster_up"
ALL="0 1 2"
for k in $ALL; do snmp_up "$k" || fail "snmp_up $k"; done
ok "snmpd, snmptrapd and herd-agentx run on every node"

declare -A SEEN=() LABEL=()
while read -r n label; do LABEL[$n]=$label; done < <(mib_tc_labels HerdEventClass)
LABEL[100]=herdAgentRestarted LABEL[101]=herdAgentHerddDown LABEL[102]=herdAgentHerddUp
SKIPPED="" SKIP_WHY=

mark_all() { local k; for k in $ALL; do trap_mark "$k"; done; }
re() { printf '%s' "${1//./\\.}"; }
# The traps of class N since the mark on node K (one per line).
traps_of() { # K N
	traps "$1" | grep -E "$(re "$SNMP_TRAP_OID") = OID: $(re "$HERD_NOTIF.$2")($|	)"
}

# expect_trap K N SECS [NODE]: wait for a herdNotifications.N on node K
# (about NODE, when given), check it (check_event_trap for event classes),
# set TRAP_LINE and TRAP_SEQ. A missing trap is a mismatch, with what
# herdctl events on node K says (did herdd have the event at all?).
expect_trap() {
	local k=$1 n=$2 secs=$3 node=${4:-} deadline line= cand
	TRAP_LINE= TRAP_SEQ=
	deadline=$(( $(_cl_now_us) + $(_cl_secs_us "$secs") ))
	while :; do
		while IFS= read -r cand; do
			[ -n "$cand" ] || continue
			if [ -n "$node" ] && [ "$n" -lt 100 ] &&
			   [ "$(trap_val "$cand" "${MIB_OID[herdEventNode]}")" != "$node" ]; then
				continue
			fi
			line=$cand
			break
		done < <(traps_of "$k" "$n")
		[ -z "$line" ] || break
		if [ "$(_cl_now_us)" -ge "$deadline" ]; then
			local had type=${LABEL[$n]:-?}
			type=$(sed -E 's/([A-Z])/-\L\1/g' <<<"$type")
			had=$(node_herdctl "$k" -j events --limit 100000 2>/dev/null |
				jq -c --arg t "$type" '[.events[] | select(.type == $t) | {seq, node, subject}] | .[-3:]')
			mismatch "n$k: herdNotifications.$n (${LABEL[$n]:-?})${node:+ about node $node}" \
				"no trap within ${secs}s; herdctl events on n$k has of type $type: ${had:-?}"
			return 1
		fi
		sleep 0.1
	done
	TRAP_LINE=$line
	SEEN[$n]=1
	if [ "$n" = 33 ] && [ -n "${SHUTDOWN_EVENT:-}" ]; then
		check_event_trap "$k" "$line" "$n" "$SHUTDOWN_EVENT"
	elif [ "$n" -lt 100 ]; then
		check_event_trap "$k" "$line" "$n"
	fi
	echo "# n$k: ${LABEL[$n]}($n)${TRAP_SEQ:+ seq $TRAP_SEQ} received"
	return 0
}

# expect_trap_any N SECS: the same on whichever node has one (TRAP_NODE).
expect_trap_any() {
	local k deadline=$(( $(_cl_now_us) + $(_cl_secs_us "$2") ))
	TRAP_NODE=
	while [ "$(_cl_now_us)" -lt "$deadline" ]; do
		for k in $ALL; do
			if [ -n "$(traps_of "$k" "$1")" ]; then
				TRAP_NODE=$k
				expect_trap "$k" "$1" 1
				return
			fi
		done
		sleep 0.1
	done
	expect_trap 0 "$1" 0
}

# want_vb POS NAME INSTANCE [VALUE...]: the varbind after the eight common
# ones at position POS (1 = the first) of TRAP_LINE is NAME.INSTANCE, with
# one of the VALUEs when given. Sets VB to the value.
want_vb() {
	local pos=$1 name=$2 inst=$3 n
	shift 3
	local -a o
	[ -n "$TRAP_LINE" ] || return 0
	mapfile -t o < <(trap_oids "$TRAP_LINE")
	n=$(( ${TRAP_SEQ:+8} + pos - 1 ))
	want "trap ${LABEL_CUR:-} (seq ${TRAP_SEQ:-}): varbind ${name}" "${o[n]:-<none>}" "${MIB_OID[$name]}.$inst"
	VB=$(trap_val "$TRAP_LINE" "${MIB_OID[$name]}.$inst")
	[ $# -eq 0 ] || want "trap ${LABEL_CUR:-} (seq ${TRAP_SEQ:-}): $name.$inst" "$VB" "$@"
	return 0
}
want_count() { # N: TRAP_LINE has N varbinds after sysUpTime and snmpTrapOID
	[ -n "$TRAP_LINE" ] || return 0
	want "trap ${LABEL_CUR:-} (seq ${TRAP_SEQ:-}): number of varbinds" "$(trap_oids "$TRAP_LINE" | wc -l)" "$1"
}
node_state_vbs() { # PREV NEW (HerdNodeSummary numbers; "" for any)
	local prev=$1 new=$2
	want_vb 1 herdEventNodePrevState "$TRAP_SEQ" ${prev:+"$prev"}
	want_vb 2 herdEventNodeState "$TRAP_SEQ" ${new:+"$new"}
	want_count 10
}
# collector_vbs SUBJECT DETAIL-REGEX: TRAP_LINE's herdEventSubject is
# SUBJECT and its herdEventDetail matches DETAIL-REGEX (check_event_trap
# has compared both with herdctl events already; this says what they are).
collector_vbs() {
	local subj detail
	[ -n "$TRAP_LINE" ] || return 0
	subj=$(hex2str "$(trap_val "$TRAP_LINE" "${MIB_OID[herdEventSubject]}.$TRAP_SEQ")")
	detail=$(hex2str "$(trap_val "$TRAP_LINE" "${MIB_OID[herdEventDetail]}.$TRAP_SEQ")")
	want "trap $LABEL_CUR (seq $TRAP_SEQ): herdEventSubject (the script)" "$subj" "$1"
	CHECKED=$((CHECKED + 1))
	[[ $detail =~ $2 ]] ||
		mismatch "trap $LABEL_CUR (seq $TRAP_SEQ): herdEventDetail" "expected /$2/, got '$detail'"
	want_count 8
}
# The link number in TRAP_LINE's subject ("link 1 to node 2 is down").
subject_link() {
	hex2str "$(trap_val "$TRAP_LINE" "${MIB_OID[herdEventSubject]}")" | sed -E 's/^link ([0-9]+) .*/\1/'
}
snmp_state() { # K PNN -> herdNodeState.PNN as node K's herd-agentx serves it (a number)
	SNMP_NODE=$1 SNMP_TIMEOUT=1 snmp_rawget "${MIB_OID[herdNodeState]}.$2" 2>/dev/null
}

# ---- herdAgentRestarted on every node, at start ---------------------------------------
for k in $ALL; do
	LABEL_CUR=herdAgentRestarted
	if expect_trap "$k" 100 5; then
		want_vb 1 herdClusterName 0 "$(str2hex test)"
		want_vb 2 herdClusterThisNode 0 "$k" -1
		want_vb 3 herdAgentHerddConnected 0 1 2
		want_vb 4 herdAgentNotificationsDropped 0 0
		want_count 4
	fi
done

# ---- init, setup, startup, healthy: node 0 starts up now -----------------------------
expect_eq "$(node_herdctl 0 -j status | jq -r .startup_phase)" init "node 0 waits in init"
mark_all
touch "$(node_dir 0)/init-ok"
for n in 1 2 3; do
	LABEL_CUR=${LABEL[$n]}
	if expect_trap 0 "$n" 5 0; then
		want_vb 1 herdLocalStartupPhase 0 2 3 4 5
		want_count 9
	fi
done
LABEL_CUR=healthy
expect_trap 0 4 5 0 && node_state_vbs "" 1
wait_for 10 "every node is OK" all_ok 0 1 2
wait_for 5 "one leader" agree_leader 0 1 2

# ---- a node dies: the node table and node-disconnected --------------------------------
mark_all
bound_ms=$(( KA_MS * (KA_LIMIT + 1) + 1000 ))
t0=$(now_ns)
node_kill 2 KILL
wait_for $(( bound_ms / 1000 + 1 )) "node 0's herdNodeState.2 is disconnected(2)" eval '[ "$(snmp_state 0 2)" = 2 ]'
dt=$(ms_since "$t0")
echo "# kill of node 2 to herdNodeState.2 = disconnected on node 0: $dt ms (bound $bound_ms ms: keepalive ${KA_MS}ms x $KA_LIMIT, +1 interval, +1 s)"
[ "$dt" -le "$bound_ms" ] || fail "node 2 showed as disconnected after $dt ms, over the bound of $bound_ms ms"
ok "herdNodeState.2 = disconnected within the detection bound"
LABEL_CUR=nodeDisconnected
expect_trap 0 7 3 2 && node_state_vbs 1 2
LABEL_CUR=herdAgentHerddDown
if expect_trap 2 101 5; then
	want_vb 1 herdClusterName 0 "$(str2hex test)"
	want_vb 2 herdClusterThisNode 0 2
	want_vb 3 herdAgentHerddConnected 0 2
	want_count 3
fi
LABEL_CUR=linkDown
if expect_trap 0 14 3 2; then
	want_vb 1 herdLinkState "2.$(subject_link)" 2 3 4
	want_count 9
fi
LABEL_CUR=ipTakeover
# node 2's addresses move to the survivors
expect_trap_any 21 5
node_start 2 || fail "node 2 restarts"
LABEL_CUR=nodeConnected
expect_trap 0 6 10 2 && node_state_vbs 2 ""
LABEL_CUR=linkUp
if expect_trap 0 15 5 2; then
	want_vb 1 herdLinkState "2.$(subject_link)" 3 4 5
	want_count 9
fi
LABEL_CUR=herdAgentHerddUp
if expect_trap 2 102 10; then
	want_vb 1 herdClusterName 0 "$(str2hex test)"
	want_vb 2 herdClusterThisNode 0 2
	want_vb 3 herdAgentHerddConnected 0 1
	want_vb 4 herdAgentHerddConnects 0 2
	want_count 4
fi
wait_for 10 "node 2 is back, every node OK" all_ok 0 1 2

# ---- ban/unban, disable/enable, stop/continue (node 0 reports) ----------------------
seen_everywhere() { local k; for k in $ALL; do [ "$(state_of "$k" "$1")" = "$2" ] || return 1; done; }
flag_cycle() { # VERB UNVERB STATE N-ON N-OFF SUMMARY PNN [ARGS]
	local verb=$1 unverb=$2 state=$3 on=$4 off=$5 sum=$6 p=$7
	shift 7
	mark_all
	expect_rc 0 "$verb $* -n $p" -- node_herdctl 0 "$verb" "$@" -n "$p"
	wait_for 3 "node $p is $state everywhere" seen_everywhere "$p" "$state"
	LABEL_CUR=${LABEL[$on]}
	expect_trap 0 "$on" 3 "$p" && node_state_vbs 1 "$sum"
	mark_all
	expect_rc 0 "$unverb -n $p" -- node_herdctl 0 "$unverb" -n "$p"
	wait_for 5 "node $p is OK again everywhere" seen_everywhere "$p" OK
	LABEL_CUR=${LABEL[$off]}
	expect_trap 0 "$off" 3 "$p" && node_state_vbs "$sum" 1
}
flag_cycle ban unban BANNED 8 9 3 1 60
flag_cycle disable enable DISABLED 10 11 5 1

# The NAT gateway and LVS master stops: every node's role or master changes.
M=$(node_herdctl 1 -j natgw | jq -r .master)
[[ $M =~ ^[0-2]$ ]] || fail "no NAT gateway master (natgw master: $M)"
mark_all
flag_cycle_stop() {
	expect_rc 0 "stop -n $M (the NAT gateway master)" -- node_herdctl 0 stop -n "$M"
	wait_for 3 "node $M is STOPPED everywhere" seen_everywhere "$M" STOPPED
	LABEL_CUR=nodeStopped
	expect_trap 0 12 3 "$M" && node_state_vbs 1 4
	LABEL_CUR=natgwChanged
	if expect_trap_any 23 5; then
		want_vb 1 herdNatgwRole 0 1 2 3 4
		want_vb 2 herdNatgwMaster 0 0 1 2 -1
		want_count 10
	fi
	LABEL_CUR=lvsChanged
	if expect_trap_any 24 5; then
		want_vb 1 herdLvsRole 0 1 2 3
		want_vb 2 herdLvsMaster 0 0 1 2 -1
		want_count 10
	fi
	mark_all
	expect_rc 0 "continue -n $M" -- node_herdctl 0 continue -n "$M"
	wait_for 5 "node $M is OK again" seen_everywhere "$M" OK
	LABEL_CUR=nodeContinued
	expect_trap 0 13 3 "$M" && node_state_vbs 4 1
}
flag_cycle_stop

# ---- unhealthy / healthy: node 1's monitor fails -------------------------------------
# Node 1 itself also says which check broke (collector-failed, subject the
# script, detail why) and that it works again (collector-recovered).
mark_all
touch "$(node_dir 1)/broken"
wait_for 5 "node 1 is UNHEALTHY" seen_everywhere 1 UNHEALTHY
LABEL_CUR=unhealthy
expect_trap 0 5 3 1 && node_state_vbs 1 6
LABEL_CUR=collectorFailed
expect_trap 1 27 3 1 && collector_vbs 00.gate '^exit 1: service check failed$'
mark_all
rm -f "$(node_dir 1)/broken"
wait_for 5 "node 1 is OK again" seen_everywhere 1 OK
LABEL_CUR=healthy
expect_trap 0 4 3 1 && node_state_vbs 6 1
LABEL_CUR=collectorRecovered
expect_trap 1 28 3 1 &&
	collector_vbs 00.gate '^works again after [0-9]+ failed runs? \(failing for [0-9hms. ]+\)$'

# ---- a private link down and up --------------------------------------------------------
mark_all
node_link_down 1 1
LABEL_CUR=linkDown
if expect_trap 0 14 5 1; then
	want_vb 1 herdLinkState 1.1 3 4
	want_count 9
fi
mark_all
node_link_up 1 1
LABEL_CUR=linkUp
if expect_trap 0 15 8 1; then
	want_vb 1 herdLinkState 1.1 4 5
	want_count 9
fi

# ---- the recovery lock is lost (its file removed) -----------------------------------
L=$(agree_leader 0 1 2) || fail "no leader"
mark_all
rm -f "$CLUSTER_SHARED/reclock"
LABEL_CUR=reclockLost
if expect_trap "$L" 20 5; then
	want_vb 1 herdClusterRecoveryLockState 0 "$(mib_enum HerdReclockState lost)" \
		"$(mib_enum HerdReclockState held)" "$(mib_enum HerdReclockState taking)" "$(mib_enum HerdReclockState released)"
	want_vb 2 herdClusterRecoveryLockCause 0 "$(mib_enum HerdReclockCause file-lost)" "$(mib_enum HerdReclockCause none)"
	want_count 10
fi
wait_for 10 "a leader holds the lock again" eval 'agree_leader 0 1 2 >/dev/null && all_ok 0 1 2'

# ---- the leader is banned: leader-changed, recovery, reclock-taken ----------------
L=$(agree_leader 0 1 2) || fail "no leader"
O=$(( (L + 1) % 3 ))
mark_all
expect_rc 0 "ban the leader ($L)" -- node_herdctl "$O" ban 60 -n "$L"
newl() { local l; l=$(agree_leader $(for k in $ALL; do [ "$k" = "$L" ] || echo "$k"; done)) && [ "$l" != "$L" ]; }
wait_for 5 "leadership moves" newl
L2=$(leader_of "$O")
LABEL_CUR=leaderChanged
if expect_trap "$O" 16 5; then
	want_vb 1 herdClusterLeader 0 "$L2" -1
	want_vb 2 herdClusterGeneration 0
	[[ $VB =~ ^[0-9]+$ ]] || mismatch "leaderChanged: herdClusterGeneration.0" "not a number: $VB"
	want_count 10
fi
LABEL_CUR=recoveryStarted
if expect_trap "$L2" 17 5; then
	want_vb 1 herdClusterGeneration 0
	want_vb 2 herdClusterRecoveryMode 0 1 2
	want_count 10
fi
LABEL_CUR=recoveryFinished
if expect_trap "$L2" 18 5; then
	want_vb 1 herdClusterGeneration 0
	want_vb 2 herdClusterRecoveryMode 0 1 2
	want_vb 3 herdClusterLastRecoveryDuration 0
	want_count 11
fi
LABEL_CUR=reclockTaken
if expect_trap "$L2" 19 5; then
	want_vb 1 herdClusterRecoveryLockState 0 "$(mib_enum HerdReclockState held)" "$(mib_enum HerdReclockState taking)"
	want_count 9
fi
expect_rc 0 "unban node $L" -- node_herdctl "$O" unban -n "$L"
wait_for 5 "all OK after the unban" all_ok 0 1 2

# ---- moveip: released on one node, taken over on another ---------------------------
A=10.92.0.101
wait_for 5 "$A is hosted" eval '[ "$(node_herdctl 0 -j ip | jq -r ".addresses[] | select(.address == \"$A\") | .pnn")" != null ]'
H=$(node_herdctl 0 -j ip | jq -r ".addresses[] | select(.address == \"$A\") | .pnn")
T=$(( (H + 1) % 3 ))
mark_all
expect_rc 0 "moveip $A $T" -- node_herdctl 0 moveip "$A" "$T"
LABEL_CUR=ipReleased
if expect_trap "$H" 22 5; then
	want_vb 1 herdPublicAddrNode "$(inet_idx "$A")" "$H" "$T" -1
	want_vb 2 herdPublicAddrActiveInterface "$(inet_idx "$A")"
	want_count 10
fi
LABEL_CUR=ipTakeover
if expect_trap "$T" 21 5; then
	want_vb 1 herdPublicAddrNode "$(inet_idx "$A")" "$T" "$H" -1
	want_vb 2 herdPublicAddrActiveInterface "$(inet_idx "$A")" "$(str2hex pub0)" ""
	want_count 10
fi

# ---- a public interface down and up ---------------------------------------------
mark_all
node_public_link_down 0
LABEL_CUR=ifaceDown
if expect_trap 0 25 5 0; then
	want_vb 1 herdIfLinkState "$(str_idx pub0 implied)" 2 1
	want_vb 2 herdIfHealth 0 1 2 3
	want_count 10
fi
mark_all
node_public_link_up 0
LABEL_CUR=ifaceUp
if expect_trap 0 26 5 0; then
	want_vb 1 herdIfLinkState "$(str_idx pub0 implied)" 1 2
	want_vb 2 herdIfHealth 0 1 2 3
	want_count 10
fi
wait_for 5 "all OK after the public link came back" all_ok 0 1 2

# ---- maintenance on and off -------------------------------------------------------------
mark_all
expect_rc 0 "maintenance on --for 5m" -- node_herdctl 0 maintenance on --for 5m
LABEL_CUR=maintenanceOn
if expect_trap 0 29 5; then
	want_vb 1 herdClusterMaintenance 0 1
	want_vb 2 herdClusterMaintenanceUntil 0
	u=$(dat2epoch "$VB") now=$(date +%s)
	want_range "maintenanceOn: herdClusterMaintenanceUntil.0 (about now + 5 min)" "$u" $(( now + 240 )) $(( now + 301 ))
	want_count 10
fi
mark_all
expect_rc 0 "maintenance off" -- node_herdctl 0 maintenance off
LABEL_CUR=maintenanceOff
if expect_trap 0 30 5; then
	want_vb 1 herdClusterMaintenance 0 2
	want_vb 2 herdClusterMaintenanceUntil 0
	want "maintenanceOff: herdClusterMaintenanceUntil.0 (zeros)" "$(dat2epoch "$VB")" 0
	want_count 10
fi

# ---- configuration reloaded and rejected -----------------------------------------------
mark_all
expect_rc 0 "reload on node 0" -- node_herdctl 0 reload
LABEL_CUR=configReloaded
if expect_trap 0 31 5 0; then
	want_vb 1 herdLocalLastReload 0
	want_range "configReloaded: herdLocalLastReload.0 (now)" "$(dat2epoch "$VB")" $(( $(date +%s) - 10 )) "$(date +%s)"
	want_count 9
fi
conf=$(node_etc 0)/herd.conf
cp "$conf" "$conf.good"
printf '[nosuchsection]\n' >>"$conf"
mark_all
expect_rc 1 "reload of a bad herd.conf is refused" -- node_herdctl 0 reload
mv "$conf.good" "$conf"
LABEL_CUR=configRejected
if expect_trap 0 32 5 0; then
	want_vb 1 herdLocalLastReloadError 0
	[ -n "$VB" ] || mismatch "configRejected: herdLocalLastReloadError.0" "empty"
	want_count 9
fi

# ---- shutdown: node 1's herdd stops while its herd-agentx runs ----------------------
# (herdctl cannot show the event afterwards: it is checked against what
# agentd/daemon.c emits on SIGTERM)
mark_all
t0=$(date +%s)
node_stop 1 || fail "node 1's herdd did not exit 0"
SHUTDOWN_EVENT='{"type": "shutdown", "severity": "notice", "node": 1, "reporter": 1,
	"subject": "herdd is shutting down", "detail": "on Terminated", "wall_us": null,
	"wall_lo": '"$t0"', "wall_hi": '"$(( $(date +%s) + 1 ))"'}'
LABEL_CUR=shutdown
expect_trap 1 33 5 1 && want_count 8
LABEL_CUR=herdAgentHerddDown
expect_trap 1 101 5 && want_vb 3 herdAgentHerddConnected 0 2
node_start 1 || fail "node 1 restarts"
LABEL_CUR=herdAgentHerddUp
expect_trap 1 102 10 && want_vb 3 herdAgentHerddConnected 0 1
wait_for 10 "all OK at the end" all_ok 0 1 2

# ---- herdctl notify test: herd-agentx sends the synthetic event's trap --------------
trap_mark 0
expect_rc 0 "notify test on node 0" -- node_herdctl 0 notify test unhealthy
expect_match "$OUT" "event subscribers .*: [1-9]" "herd-agentx gets the test event"
wait_for 5 "the notify test event's trap (herdUnhealthy) arrives" \
	eval '[ -n "$(traps_of 0 5)" ]'
ok "notify test goes out as a trap through herd-agentx"

# ---- every class seen? -------------------------------------------------------------------
missing=()
for n in $(mib_tc_labels HerdEventClass | awk '{print $1}') 100 101 102; do
	if [[ " $SKIPPED " == *" $n "* ]]; then
		echo "# SKIP ${LABEL[$n]}($n): $SKIP_WHY"
		continue
	fi
	[ -n "${SEEN[$n]:-}" ] || missing+=("${LABEL[$n]}($n)")
done
[ ${#missing[@]} -eq 0 ] || mismatch "notification classes never received" "${missing[*]}"
echo "# received: $(for n in "${!SEEN[@]}"; do echo "$n"; done | sort -n | tr '\n' ' ')"
mismatches_report "notifications" || fail "notifications missing or wrong"
for k in $ALL; do snmp_down "$k" || fail "n$k: herd-agentx did not exit 0 on SIGTERM"; done
cluster_down || fail "cluster_down"
ok "done"
