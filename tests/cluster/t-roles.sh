# NAT gateway, policy routing and LVS in a 3-node cluster with a client.
#
# NAT gateway: the client also owns 10.94.0.1, a network only the NAT
# gateway master routes to (static route via the client); the other nodes
# get a fallback route via the master's private address (metric 10), and a
# ping from them reaches 10.94.0.1 through the master, masqueraded. The
# master crashes: another node becomes master and the pings go through it.
# Policy routing: the node hosting 10.92.0.101 has "from 10.92.0.101" rule
# and table with the routes file's route, in the kernel's own view; moveip
# takes them to the new holder. LVS: the master holds the LVS address on
# pub0, the others on lo; a disabled node leaves the set; the master
# crashes and the next one takes over; where the kernel has no IPVS, the
# ipvsadm commands are checked from the dry run.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
cluster_check || exit $?
cluster_trap
export CLUSTER_CLIENT=1
export CLUSTER_PUBLIC_ADDRESSES="10.92.0.101/24 pub0
10.92.0.102/24 pub0
10.92.0.103/24 pub0"
export CLUSTER_CONF_EXTRA="[cluster]\nrecovery lock = @SHARED@/reclock\n[monitor]\ninterval = 300ms
[natgw]\nnodes file = natgw_nodes\npublic address = 10.92.0.190/24\npublic interface = pub0
private network = 10.91.0.0/24\nstatic routes = 10.94.0.0/24@10.92.0.200
[policy routing]\nroutes file = policy_routes
[lvs]\nnodes file = lvs_nodes\npublic address = 10.92.0.180\npublic interface = pub0"
setup() { # K NODEDIR
	printf '10.91.0.10\n10.91.0.11\n10.91.0.12\n' >"$2/etc/natgw_nodes"
	printf '10.91.0.10\n10.91.0.11\n10.91.0.12\n' >"$2/etc/lvs_nodes"
	printf '10.92.0.101 10.95.0.0/24 10.92.0.200\n' >"$2/etc/policy_routes"
}
export CLUSTER_SETUP_HOOK=setup
cluster_up 3 || fail "cluster_up"
client_exec ip addr add 10.94.0.1/24 dev pub0 || fail "client: second address"
wait_for 10 "every node is OK" all_ok 0 1 2

# ---- NAT gateway -----------------------------------------------------------
master() { node_herdctl "$1" natgw master | awk '{print $1}'; }
wait_for 5 "every node names the same NAT gateway master" \
	eval '[ "$(master 0)" != -1 ] && [ "$(master 0)" = "$(master 1)" ] && [ "$(master 1)" = "$(master 2)" ]'
m=$(master 0)
expect_eq "$m" 0 "the lowest healthy node is the NAT gateway master"
expect_eq "$(node_herdctl 1 natgw master)" "0 10.91.0.10" "natgw master prints pnn and private address"
expect_match "$(node_herdctl 0 getcapabilities)" "NATGW: *YES" "getcapabilities shows NATGW"
expect_match "$(node_exec 0 ip -o addr show dev pub0)" "10.92.0.190/24" "the master holds the NATGW address"
expect_match "$(node_exec 0 nft list table ip herd_natgw)" "masquerade" "the master masquerades (nftables)"
expect_match "$(node_exec 1 ip route show 10.94.0.0/24)" "via 10.91.0.10 .*metric 10" \
	"a slave routes the client network via the master, metric 10"
expect_match "$(node_herdctl 1 natgw status)" "this node \(pnn 1\) is slave" "natgw status shows the role"
expect_match "$(node_herdctl 1 natgw list)" "0 10.91.0.10 MASTER" "natgw list marks the master"
expect_rc 0 "node 1 pings 10.94.0.1 through the NAT gateway" -- node_exec 1 ping -c1 -W2 10.94.0.1
node_crash 0
wait_for 10 "node 1 becomes the NAT gateway master" eval '[ "$(master 1)" = 1 ] && [ "$(master 2)" = 1 ]'
expect_match "$(node_exec 1 ip -o addr show dev pub0)" "10.92.0.190/24" "the new master holds the NATGW address"
wait_for 5 "node 2 reaches 10.94.0.1 through the new master" node_exec 2 ping -c1 -W1 10.94.0.1
expect_match "$(node_exec 2 ip route show 10.94.0.0/24)" "via 10.91.0.11" "node 2's route points at the new master"
expect_match "$(node_herdctl 2 events --type natgw-changed)" "NAT gateway master is node 1" "natgw-changed is an event"
node_start 0
wait_for 10 "node 0 is back" all_ok 0 1 2
wait_for 5 "node 0 is master again (lowest healthy pnn, as CTDB)" eval '[ "$(master 2)" = 0 ]'
wait_for 3 "the old master's NATGW address is gone" \
	eval '! node_exec 1 ip -o addr show dev pub0 | grep -q 10.92.0.190/'

# ---- policy routing ----------------------------------------------------------
holder() { node_herdctl 0 -j ip | jq -r --arg a "$1" '.addresses[] | select(.address == $a) | .pnn'; }
h=$(holder 10.92.0.101)
expect_match "$(node_exec "$h" ip rule show)" "100:.*from 10.92.0.101 lookup 1000" \
	"the holder of 10.92.0.101 has its policy rule"
expect_match "$(node_exec "$h" ip route show table 1000)" "10.95.0.0/24 via 10.92.0.200 dev pub0" \
	"and its table has the routes file's route"
expect_match "$OUT$(node_exec "$h" ip route show table 1000)" "10.92.0.0/24 dev pub0" "and the link route"
to=$(( (h + 1) % 3 ))
expect_rc 0 "moveip 10.92.0.101 to node $to" -- node_herdctl 0 moveip 10.92.0.101 "$to"
wait_for 3 "the rule left node $h" eval '! node_exec '"$h"' ip rule show | grep -q "from 10.92.0.101"'
expect_match "$(node_exec "$to" ip rule show)" "from 10.92.0.101 lookup" "and is on node $to"
expect_match "$(node_exec "$to" ip route show table all)" "10.95.0.0/24 via 10.92.0.200" "with its routes"

# ---- LVS -------------------------------------------------------------------------
lvs_master() { node_herdctl "$1" lvs master; }
wait_for 5 "every node names LVS master 0" \
	eval '[ "$(lvs_master 0)" = 0 ] && [ "$(lvs_master 1)" = 0 ] && [ "$(lvs_master 2)" = 0 ]'
expect_eq "$(node_herdctl 1 lvs list | tr '\n' ' ')" "0 10.91.0.10 1 10.91.0.11 2 10.91.0.12 " "lvs list: every node"
expect_match "$(node_exec 0 ip -o addr show dev pub0)" "10.92.0.180/32" "the LVS master holds the address on pub0"
expect_match "$(node_exec 1 ip -o addr show dev lo)" "10.92.0.180/32 scope host" "members hold it on lo"
if node_herdctl 0 -j lvs | jq -e .dry_run >/dev/null; then
	expect_match "$(node_herdctl 0 lvs -v)" "dry run" "lvs status says the kernel has no IPVS"
	expect_match "$OUT$(node_herdctl 0 lvs -v)" "ipvsadm -a -t 10.92.0.180:0 -r 10.91.0.11 -g" \
		"the dry run lists the real server entries"
	expect_match "$(grep -c 'LVS (dry run)' "$(node_log 0)")" "^[1-9]" "herdd logs what it would run"
	expect_match "$(node_herdctl 1 status)" "LVS:DRY RUN: the kernel has no IPVS" "herdctl status says so"
	expect_match "$(cat "$(node_log 1)")" "LVS is configured but the kernel has no IPVS" "herdd says so at start"
fi
expect_rc 0 "disable node 1" -- node_herdctl 0 disable -n 1
wait_for 5 "a disabled node leaves the LVS set" eval '[ "$(node_herdctl 0 lvs list | tr "\n" " ")" = "0 10.91.0.10 2 10.91.0.12 " ]'
wait_for 3 "and drops the address from lo" eval '! node_exec 1 ip -o addr show dev lo | grep -q 10.92.0.180'
node_crash 0
wait_for 10 "node 2 becomes LVS master (node 1 is disabled)" eval '[ "$(lvs_master 2)" = 2 ]'
expect_match "$(node_exec 2 ip -o addr show dev pub0)" "10.92.0.180/32" "the new LVS master holds the address"
expect_match "$(node_herdctl 2 events --type lvs-changed)" "LVS master is node 2" "lvs-changed is an event"
expect_rc 0 "enable node 1" -- node_herdctl 2 enable -n 1
cluster_down || fail "cluster_down"
ok "done"
