# reloadnodes: remove a node (#ADDR) and add one at the end without
# restarting the others; a nodes file that changes a node in place is
# refused and changes nothing.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
cluster_check || exit $?
cluster_trap
export CLUSTER_CLIENT=0
cluster_up 3 || fail "cluster_up"
wait_for 6 "all OK" all_ok 0 1 2

set_nodes() { local k; for k in 0 1 2; do printf "$1" >"$(node_etc "$k")/nodes"; done; }
count() { node_herdctl "$1" -j status | jq -r .node_count; }

node_stop 2 || fail "stop node 2"
set_nodes "10.91.0.10\n10.91.0.11\n#10.91.0.12\n"
expect_rc 0 "reloadnodes removes node 2" -- node_herdctl 0 reloadnodes
both_two() { [ "$(count 0)" = 2 ] && [ "$(count 1)" = 2 ]; }
wait_for 3 "both remaining nodes count 2 nodes" both_two
expect_eq "$(state_of 1 2)" DELETED "node 1 sees node 2 DELETED"
expect_eq "$(node_herdctl 0 status | grep -c 'pnn:2')" 0 "status hides the deleted node"
expect_eq "$(node_herdctl 0 listnodes | tail -n 1)" "#10.91.0.12" "listnodes shows it as #ADDR"

# A change in place is refused, and nothing changes.
printf "10.91.0.10\n10.91.0.99\n#10.91.0.12\n" >"$(node_etc 0)/nodes"
expect_rc 1 "changing node 1's address in place is refused" -- node_herdctl 0 reloadnodes
expect_match "$OUT" "changes the addresses of node 1" "and says why"
expect_eq "$(state_of 0 1)" OK "node 1 is untouched"

# Add the machine back as a new node at the end (pnn 3).
set_nodes "10.91.0.10\n10.91.0.11\n#10.91.0.12\n10.91.0.12\n"
expect_rc 0 "reloadnodes adds node 3" -- node_herdctl 0 reloadnodes
node_start 2 || fail "start the machine again"
expect_eq "$(node_herdctl 2 pnn)" 3 "the machine is node 3 now"
# (the machine of harness node 2 is pnn 3 now)
ok013() { local k p; for k in 0 1 2; do for p in 0 1 3; do
	[ "$(state_of "$k" "$p")" = OK ] || return 1; done; done; }
wait_for 6 "nodes 0, 1 and 3 are OK everywhere" ok013
