# herd-agentx survives its neighbours, on a 3-node cluster with the SNMP
# stack on node 0:
# - snmpd restarted: herd-agentx registers again and serves again, says so
#   with herdAgentRestarted, and the notification of an event that happened
#   while snmpd was away follows it;
# - herdd restarted: herd-agentx sends herdAgentHerddDown, keeps serving
#   the last state it knew (herdAgentHerddConnected false), then reconnects
#   (herdAgentHerddUp) and reads everything again: the new start time, a
#   smaller uptime, herdd's new event numbering, one more connect;
# - snmpd SIGSTOPped: herdctl on that node still answers at once, herd-agentx
#   keeps reading herdd's events (never leaves data unread on its sockets
#   for a second or more; its herdd connection is never dropped), and after
#   SIGCONT the notifications of the events during the stop arrive, in
#   order, none dropped.
. "$(dirname "$0")/prelude.sh"
export CLUSTER_CLIENT=0 CLUSTER_QUIET=1
export CLUSTER_CONF_EXTRA="[cluster]\nrecovery lock = @SHARED@/reclock\n[monitor]\ninterval = 1s"
cluster_up 3 || fail "cluster_up"
wait_for 10 "every node is OK" all_ok 0 1 2
snmp_up 0 || fail "snmp_up 0"

# Values as numbers, strings in hex, from node 0's snmpd.
g() { SNMP_TIMEOUT=1 snmp_rawget "$@" 2>/dev/null; }
gn() { local n=$1; shift; g "${MIB_OID[$n]}.${1:-0}"; }
re() { printf '%s' "${1//./\\.}"; }
traps_of() { traps 0 | grep -E "$(re "$SNMP_TRAP_OID") = OID: $(re "$HERD_NOTIF.$1")($|	)"; }
wait_class() { # N SECS DESC: a trap of class N since the mark
	wait_for "$2" "$3" eval '[ -n "$(traps_of '"$1"')" ]'
}
seen_everywhere() { local k; for k in 0 1 2; do [ "$(state_of "$k" "$1")" = "$2" ] || return 1; done; }
next_seq() { node_herdctl 0 -j events --limit 1 | jq -r .next_seq; }
expect_eq "$(gn herdAgentHerddConnects)" 1 "herdAgentHerddConnects.0 is 1 after the start"

# ---- snmpd restarted ----------------------------------------------------------------
trap_mark 0
snmpd_stop 0 || fail "snmpd did not stop on SIGTERM"
sleep 1
[ -n "$(agentx_pid 0)" ] || fail "herd-agentx exited when snmpd stopped"
ok "herd-agentx keeps running without snmpd"
s=$(next_seq)
expect_rc 0 "disable node 2 while snmpd is away" -- node_herdctl 1 disable -n 2
wait_for 3 "node 2 is DISABLED" seen_everywhere 2 DISABLED
sleep 1
snmpd_start 0 || fail "snmpd restarts"
wait_for 15 "herd-agentx registers with the new snmpd and serves again" agentx_serving 0
expect_eq "$(gn herdNodeState 2)" 5 "herdNodeState.2 is disabled(5): current values after the re-registration"
wait_class 100 5 "herdAgentRestarted after the re-registration"
wait_class 10 5 "the node-disabled notification queued while snmpd was away arrives"
line=$(traps_of 10 | head -n 1)
MISMATCHES=() CHECKED=0
check_event_trap 0 "$line" 10
want "the queued trap is the event of the disable" "$TRAP_SEQ" "$(node_herdctl 0 -j events --since $((s - 1)) --type node-disabled | jq -r '.events[0].seq')"
order=$(traps 0 | grep -nE "$(re "$SNMP_TRAP_OID") = OID: $(re "$HERD_NOTIF").(100|10)($|	)" |
	sed -E "s/^([0-9]+):.*OID: $(re "$HERD_NOTIF")\.([0-9]+).*/\2/" | tr '\n' ' ')
want "herdAgentRestarted comes before the queued notifications" "${order%% *}" 100
want "herdAgentNotificationsQueued.0 after the flush" "$(gn herdAgentNotificationsQueued)" 0
want "herdAgentNotificationsDropped.0" "$(gn herdAgentNotificationsDropped)" 0
want "herdAgentHerddConnects.0 (snmpd's restart is no herdd reconnect)" "$(gn herdAgentHerddConnects)" 1
n=$(SNMP_NODE=0 snmp_rawwalk bulk | wc -l)
[ "$n" -gt 100 ] || mismatch "snmpbulkwalk after the re-registration" "only $n varbinds"
mismatches_report "snmpd restarted" || fail "after the snmpd restart"
expect_rc 0 "enable node 2" -- node_herdctl 1 enable -n 2
wait_for 5 "node 2 is OK" all_ok 0 1 2

# ---- herdd restarted ------------------------------------------------------------------
start0=$(gn herdLocalStartTime) up0=$(gn herdLocalUptime) next0=$(gn herdEventsNextSeq)
[[ $up0 =~ ^[0-9]+$ ]] || fail "herdLocalUptime.0: '$up0'"
sleep 1.2 # a start time one second later at least
trap_mark 0
node_stop 0 || fail "node 0's herdd did not exit 0"
wait_class 101 5 "herdAgentHerddDown when herdd stops"
wait_for 5 "herdAgentHerddConnected.0 is false(2)" eval '[ "$(gn herdAgentHerddConnected)" = 2 ]'
expect_eq "$(g "${MIB_OID[herdClusterName]}.0")" "74 65 73 74" \
	"without herdd, herd-agentx still serves the state it knew (herdClusterName.0)"
expect_eq "$(gn herdLocalStartTime)" "$start0" "and herdLocalStartTime.0 is still the old one"
node_start 0 || fail "node 0's herdd restarts"
wait_class 102 10 "herdAgentHerddUp when herdd is back"
wait_for 10 "node 0 is OK" all_ok 0 1 2
wait_for 5 "herdAgentHerddConnected.0 is true(1)" eval '[ "$(gn herdAgentHerddConnected)" = 1 ]'
MISMATCHES=() CHECKED=0
want "herdAgentHerddConnects.0 after the restart" "$(gn herdAgentHerddConnects)" 2
start1=$(gn herdLocalStartTime)
[ "$start1" != "$start0" ] || mismatch "herdLocalStartTime.0" "unchanged ($start0) after herdd restarted"
want "herdLocalStartTime.0 (the new herdd's)" "$(dat2epoch "$start1")" \
	"$(iso2epoch "$(node_herdctl 0 -j uptime | jq -r .start_time)")"
up1=$(gn herdLocalUptime)
[[ $up1 =~ ^[0-9]+$ ]] && [ "$up1" -lt "$up0" ] || mismatch "herdLocalUptime.0" "not smaller after the restart: $up0 then $up1"
want_range "herdEventsNextSeq.0 (herdd numbers its events from 1 again)" "$(gn herdEventsNextSeq)" 1 "$(next_seq)"
want "herdClusterGeneration.0" "$(gn herdClusterGeneration)" "$(node_herdctl 0 -j status | jq -r .generation)"
# The event table is the new herdd's: its rows are herdctl events' sequence numbers.
rows=$(SNMP_NODE=0 snmp_rawwalk bulk "${MIB_OID[herdEventSeq]}" | awk '{print $3}' | tr '\n' ' ')
hrows=$(node_herdctl 0 -j events --limit 100000 | jq -r '.events[].seq' | tr '\n' ' ')
want "herdEventTable after the resync: the new herdd's events" "${rows% }" "${hrows% }"
mismatches_report "herdd restarted: herd-agentx resynced" || fail "after the herdd restart"

# ---- snmpd SIGSTOPped ---------------------------------------------------------------------
sp=$(snmpd_pid 0) || fail "no snmpd"
ax=$(agentx_pid 0) || fail "no herd-agentx"
trap_mark 0
s=$(next_seq)
kill -s STOP "$sp"
echo "# snmpd (pid $sp) stopped"
# The longest time (ms) within SECS that herd-agentx left data unread on its
# sockets (Recv-Q of its unix sockets: herdd's events and replies; nothing
# comes from the stopped snmpd).
recvq_watch() { # SECS
	# One shell in the namespace samples ss as fast as it can ("µs bytes"
	# lines); the longest stretch of samples with bytes queued is the figure.
	node_exec 0 bash -c 'end=$(( ${EPOCHREALTIME/./} + $1 )); while :; do
		now=${EPOCHREALTIME/./}; [ "$now" -lt "$end" ] || break
		echo "$now $(ss -xpnH | awk -v p="pid=$2," "index(\$0, p) { s += \$3 } END { print s + 0 }")"
	done' sh "$(_cl_secs_us "$1")" "$ax" |
	awk '$2 > 0 { if (since == "") since = $1; last = $1; next }
		since != "" { if ($1 - since > max) max = $1 - since; since = "" }
		END { if (since != "" && last - since > max) max = last - since; printf "%d\n", max / 1000 }'
}

# herdd sends herd-agentx an event every ~50 ms for 6 s (reloads of node
# 0's configuration): long enough to span herd-agentx's AgentX ping and its
# attempts to reach the stopped master, so any stall of its loop shows.
node_bg 0 sh -c 'end=$(( $(date +%s) + 6 )); while [ "$(date +%s)" -lt "$end" ]; do
	"$1" -c "$2" reload >/dev/null || exit 1; sleep 0.05; done' sh "$HERD_BUILD/herdctl" "$(node_etc 0)" >/dev/null 2>&1
reloader=$CLUSTER_BG_PID
unread=$(recvq_watch 6.5)
wait "$reloader" || fail "the reloads failed"
echo "# while snmpd was stopped, herd-agentx left herdd's data unread for at most $unread ms (events every ~50 ms for 6 s)"
slow=0
for i in 1 2 3; do
	expect_rc 0 "disable node 2 ($i) while snmpd is stopped" -- node_herdctl 0 disable -n 2
	wait_for 3 "node 2 is DISABLED" seen_everywhere 2 DISABLED
	expect_rc 0 "enable node 2 ($i)" -- node_herdctl 0 enable -n 2
	wait_for 3 "node 2 is OK" seen_everywhere 2 OK
	for j in 1 2 3 4 5; do
		t0=$(now_ns)
		node_herdctl 0 status >/dev/null || fail "herdctl status failed while snmpd is stopped"
		ms=$(ms_since "$t0")
		[ "$ms" -le 500 ] || slow=$((slow + 1))
		sleep 0.1
	done
done
expect_eq "$slow" 0 "herdctl status answered within 500 ms every time while snmpd was stopped"
[ -n "$(agentx_pid 0)" ] || fail "herd-agentx died while snmpd was stopped"
evs=$(node_herdctl 0 -j events --since $((s - 1)) --limit 1000 |
	jq -r '.events[] | select(.type == "node-disabled" or .type == "node-enabled") | .seq' | tr '\n' ' ')
expect_eq "$(wc -w <<<"$evs")" 6 "herdd recorded the six events"
kill -s CONT "$sp"
echo "# snmpd continued"
wait_for 15 "the six notifications of the events during the stop arrive" \
	eval '[ "$(traps 0 | grep -cE "OID: $(re "$HERD_NOTIF")\.1[01]($|	)")" -ge 6 ]'
got=$(traps 0 | grep -E "OID: $(re "$HERD_NOTIF")\.1[01]($|	)" | while IFS= read -r l; do
	trap_val "$l" "${MIB_OID[herdEventSeq]}"; done | tr '\n' ' ')
expect_eq "${got% }" "${evs% }" "they are those events, in order, none lost"
MISMATCHES=() CHECKED=0
want_range "longest time herd-agentx left herdd's data unread while snmpd was stopped, ms (a hung master must not freeze it for seconds)" \
	"$unread" 0 999
want "herdAgentHerddConnects.0: herdd never dropped herd-agentx" "$(gn herdAgentHerddConnects)" 2
want "herdAgentNotificationsDropped.0" "$(gn herdAgentNotificationsDropped)" 0
want "herdAgentNotificationsQueued.0" "$(gn herdAgentNotificationsQueued)" 0
mismatches_report "snmpd SIGSTOPped" || fail "after SIGSTOP/SIGCONT of snmpd"

snmp_down 0 || fail "herd-agentx did not exit 0 on SIGTERM"
ok "herd-agentx exits 0 on SIGTERM"
cluster_down || fail "cluster_down"
ok "done"
