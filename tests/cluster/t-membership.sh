# Membership and leadership on 3 nodes (MEMBERSHIP_NODES=5: on 5) with a recovery lock: start-up to
# all OK; SIGKILL of the leader; restart and rejoin; SIGSTOP of the leader
# (a hung node: its lock lease must run out); the old leader wakes up and
# steps down without acting; two links, one cut.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
cluster_check || exit $?
cluster_trap
export CLUSTER_CLIENT=0 CLUSTER_LINKS=2
export CLUSTER_CONF_EXTRA="[cluster]\nrecovery lock = @SHARED@/reclock"
N=${MEMBERSHIP_NODES:-3}
cluster_up "$N" || fail "cluster_up"
ALL=$(cluster_nodes)

wait_for 6 "all $N nodes see each other OK" all_ok $ALL
wait_for 5 "all $N follow the same leader" agree_leader $ALL
L=$(agree_leader $ALL)
expect_eq "$(active_of 0)" true "the cluster is active"
expect_eq "$(node_herdctl "$L" -j status | jq -r .recovery_lock_state.state)" held "the leader holds the lock"
expect_rc 0 "status shows both links of a peer" -- node_herdctl 0 status
expect_match "$OUT" "pnn:1 link 1 10.91.1.11 +up" "link 1 of node 1 is up"

# SIGKILL of the leader: DISCONNECTED everywhere and a new leader, fast.
others() { local k; for k in $ALL; do [ "$k" = "$1" ] || printf '%s ' "$k"; done; }
O=$(others "$L"); set -- $O; A=$1
t0=$(now_ns)
node_kill "$L" KILL
new_leader_ok() { local l; l=$(agree_leader $O) && [ "$l" != "$L" ] &&
	[ "$(state_of $A "$L")" = DISCONNECTED ] &&
	[ "$(node_herdctl "$l" -j status | jq -r .recovery_lock_state.state)" = held ]; }
wait_for 5 "SIGKILL of leader $L: a new leader holds the lock" new_leader_ok
echo "# failover after SIGKILL: $(ms_since "$t0") ms"
L2=$(agree_leader $O)
expect_match "$(node_herdctl $A events --type node-disconnected)" "node $L disconnected" \
	"the disconnection is an event"

# Restart: the node rejoins and the leader does not change.
node_start "$L" || fail "restart node $L"
wait_for 6 "node $L rejoins: all OK" all_ok $ALL
leader_is() { local want=$1; shift; [ "$(agree_leader "$@")" = "$want" ]; }
wait_for 3 "everyone follows node $L2" leader_is "$L2" $ALL
expect_eq "$(agree_leader $ALL)" "$L2" "the leader did not change when $L rejoined"

# SIGSTOP of the leader: treated as dead; its lock lease runs out.
O=$(others "$L2"); set -- $O; A=$1
seq_before=$(node_herdctl "$L2" -j events --limit 1 | jq -r '.next_seq')
t0=$(now_ns)
node_pause "$L2"
L=$L2
wait_for 6 "SIGSTOP of leader $L: a new leader holds the lock" new_leader_ok
echo "# failover after SIGSTOP: $(ms_since "$t0") ms"
L3=$(agree_leader $O)
gen_before=$(gen_of "$L3")

# It wakes up: it must find its lease gone and step down, never act as a
# second leader (no recovery from it, no generation above the new one).
node_resume "$L"
wait_for 6 "the woken node rejoins and follows node $L3" leader_is "$L3" $ALL
wait_for 5 "all OK again" all_ok $ALL
expect_match "$(grep -E 'stepping down|lease' "$(node_log "$L")" | tail -n 3)" "stepping down|lease" \
	"the woken node logged why it stepped down"
acted=$(node_herdctl "$L" -j events --since "$((seq_before - 1))" | jq -r \
	'[.events[] | select(.type == "recovery-started" or .type == "reclock-taken" or
	  (.type == "leader-changed" and .node == '"$L"'))] | length')
expect_eq "$acted" 0 "the woken node neither took the lock, claimed leadership nor ran a recovery"
[ "$(gen_of "$L3")" -ge "$gen_before" ] || fail "generation went backwards"
ok "generation did not go backwards"

# One of two links cut: the peer stays OK, the link shows down.
node_link_down 1 1
link_state_is() { node_herdctl 0 status | grep -qE "pnn:1 link 1 .* ($1)"; }
wait_for 5 "node 0 sees link 1 of node 1 down" link_state_is "down|connecting"
sleep 1.5
expect_eq "$(state_of 0 1)" OK "node 1 stays OK on one link"
expect_match "$(node_herdctl 0 events --type link-down)" "link 1 to node 1 is down" "the link loss is an event"
node_link_up 1 1
wait_for 6 "link 1 of node 1 comes back" link_state_is up
