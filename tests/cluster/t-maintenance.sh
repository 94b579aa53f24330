# Maintenance mode: a planned outage of the whole private network (the
# switch reboot) bans nobody and changes no leader; everything comes back
# clean. Maintenance shows in status everywhere and ends by itself.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
cluster_check || exit $?
cluster_trap
export CLUSTER_CLIENT=0
export CLUSTER_CONF_EXTRA="[cluster]\nrecovery lock = @SHARED@/reclock\nrecovery ban period = 30s"
cluster_up 3 || fail "cluster_up"
wait_for 6 "all OK" all_ok 0 1 2
wait_for 5 "one leader" agree_leader 0 1 2
L=$(agree_leader 0 1 2)

expect_rc 0 "maintenance on --for 2m" -- node_herdctl 1 maintenance on --for 2m
maint_everywhere() { local k; for k in 0 1 2; do
	[ "$(node_herdctl "$k" -j status | jq -r .maintenance)" = "$1" ] || return 1; done; }
wait_for 3 "every node is in maintenance" maint_everywhere true
expect_match "$(node_herdctl 2 status)" "Maintenance:ON until" "status says so"
seq0=$(node_herdctl 0 -j events --limit 1 | jq -r .next_seq)
seq1=$(node_herdctl 1 -j events --limit 1 | jq -r .next_seq)
seq2=$(node_herdctl 2 -j events --limit 1 | jq -r .next_seq)

# The whole private network goes away for 4 s (longer than the ban threshold).
for k in 0 1 2; do node_link_down "$k" all; done
sleep 4
for k in 0 1 2; do
	expect_eq "$(leader_of "$k")" "$L" "node $k still follows node $L during the outage"
done
for k in 0 1 2; do node_link_up "$k" all; done
wait_for 10 "after the outage: all OK" all_ok 0 1 2
expect_eq "$(agree_leader 0 1 2)" "$L" "the leader never changed"
churn() { # K SEQ: bans or leader changes since SEQ on node K
	node_herdctl "$1" -j events --since "$(( $2 - 1 ))" |
		jq '[.events[] | select(.type == "node-banned" or .type == "leader-changed")] | length'
}
expect_eq "$(churn 0 "$seq0")$(churn 1 "$seq1")$(churn 2 "$seq2")" 000 "no bans, no leader changes"

expect_rc 0 "maintenance off" -- node_herdctl 0 maintenance off
wait_for 3 "maintenance is off everywhere" maint_everywhere false
expect_match "$(node_herdctl 2 events --type maintenance-off)" "maintenance mode off" "an event says so"

# It ends by itself.
expect_rc 0 "maintenance on --for 2s" -- node_herdctl 0 maintenance on --for 2s
wait_for 3 "on everywhere" maint_everywhere true
wait_for 5 "and off again by itself" maint_everywhere false
# (status shows it off as soon as the time is past; the event comes with the
# next tick, a keepalive interval later)
wait_for 3 "the event says the time ran out" \
	eval '[[ "$(node_herdctl 1 events --type maintenance-off --limit 1)" == *"its time ran out"* ]]' 

# During maintenance banning is refused.
expect_rc 0 "maintenance on --for 1m" -- node_herdctl 0 maintenance on --for 1m
expect_rc 1 "ban during maintenance is refused" -- node_herdctl 0 ban 30 -n 1
expect_match "$OUT" "maintenance mode is on" "and says why"
