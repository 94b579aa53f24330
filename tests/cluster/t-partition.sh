# A 5-node cluster split 2|3 on the private network: only the side whose
# leader holds the recovery lock keeps running; the other side cannot take
# the lock and ends up BANNED/inactive, as CTDB's does. Healed: one cluster
# again, one leader, every node OK.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
cluster_check || exit $?
cluster_trap
export CLUSTER_CLIENT=0
export CLUSTER_CONF_EXTRA="[cluster]\nrecovery lock = @SHARED@/reclock\nrecovery ban period = 4s"
cluster_up 5 || fail "cluster_up"
wait_for 6 "all five OK" all_ok 0 1 2 3 4
wait_for 5 "one leader" agree_leader 0 1 2 3 4
L=$(agree_leader 0 1 2 3 4)
expect_eq "$L" 0 "node 0 leads (lowest pnn)"

# Split {0,1} | {2,3,4}: the leader's side is the minority, and keeps the lock.
cluster_partition "0 1" "2 3 4"
side_a_runs() { [ "$(agree_leader 0 1)" = 0 ] && [ "$(active_of 0)" = true ] &&
	[ "$(active_of 1)" = true ] && [ "$(state_of 0 2)" = DISCONNECTED ]; }
wait_for 5 "side {0,1} keeps running with leader 0 holding the lock" side_a_runs
side_b_stopped() {
	local k
	for k in 2 3 4; do
		[ "$(active_of "$k")" = false ] || return 1
	done
}
wait_for 15 "side {2,3,4} is not running (no leader holding the lock)" side_b_stopped
banned_seen() { node_herdctl 2 -j events --type node-banned | jq -e '.events | length > 0' >/dev/null ||
	node_herdctl 3 -j events --type node-banned | jq -e '.events | length > 0' >/dev/null ||
	node_herdctl 4 -j events --type node-banned | jq -e '.events | length > 0' >/dev/null; }
wait_for 10 "a node of side {2,3,4} banned itself for failing to take the lock" banned_seen
# At no time does side B have an active leader: sample for a while.
for i in $(seq 1 10); do
	for k in 2 3 4; do
		[ "$(active_of "$k")" = false ] || fail "node $k became active in the minority-lock side"
	done
	[ "$(active_of 0)" = true ] || fail "the lock side stopped running"
	sleep 0.3
done
ok "for 3 s only side {0,1} runs"

cluster_heal
wait_for 20 "healed: all five OK again" all_ok 0 1 2 3 4
wait_for 5 "healed: one leader" agree_leader 0 1 2 3 4
expect_eq "$(agree_leader 0 1 2 3 4)" 0 "node 0 still leads"
for k in 0 1 2 3 4; do [ "$(active_of "$k")" = true ] || fail "node $k not active after heal"; done
ok "every node is active again"
