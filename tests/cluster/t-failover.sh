# Public addresses in a 3-node cluster with a client on the public network:
# every address is hosted by exactly one node and answers ping and TCP;
# moveip moves one, the client's open connection to it is reset at once
# (tickle ACK) and its neighbour table shows the new MAC; killing a hosting
# node moves its addresses, and the client's connection to one of them is
# reset too, from the tickle list the dead node had sent the others
# ([failover] tickle interval, 1s here); a public interface losing its carrier moves its
# addresses and makes the node PARTIALLYONLINE (another public interface
# still works); a node coming back gets addresses again. Throughout, every
# node's kernel address changes are recorded (ip monitor) and checked: no
# address is ever configured on two nodes at once.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
cluster_check || exit $?
command -v python3 >/dev/null || { echo "# SKIP: python3 missing"; exit 77; }
cluster_trap
tool=$(cd "$(dirname "$0")" && pwd)/failover.py
ADDRS="10.92.0.101 10.92.0.102 10.92.0.103 10.92.0.104 10.92.0.105 10.92.0.106"
V6=fd92::150
export CLUSTER_CLIENT=1 CLUSTER_IPV6=1
CLUSTER_PUBLIC_ADDRESSES=$(for a in $ADDRS; do echo "$a/24 pub0"; done; echo "$V6/64 pub0")
# Node 2 has a second public interface (pub1, a veth pair of its own).
export CLUSTER_PUBLIC_ADDRESSES CLUSTER_PUBLIC_ADDRESSES_2="$CLUSTER_PUBLIC_ADDRESSES
10.93.0.100/24 pub1"
export CLUSTER_CONF_EXTRA="[cluster]\nrecovery lock = @SHARED@/reclock\n[monitor]\ninterval = 300ms\n[failover]\ntickle interval = 1s"
setup() { # K NODEDIR: watch the kernel's addresses, serve TCP, (n2) pub1
	node_bg "$1" ip -ts -o monitor address >"$2/n$1.mon" 2>&1
	node_bg "$1" python3 "$tool" serve 8080 "node $1" >/dev/null 2>&1
	if [ "$1" = 2 ]; then
		node_exec 2 ip link add pub1 type veth peer name pub1p &&
			node_exec 2 ip link set pub1 up && node_exec 2 ip link set pub1p up
	fi
}
export CLUSTER_SETUP_HOOK=setup
cluster_up 3 || fail "cluster_up"
wait_for 10 "every node is OK" all_ok 0 1 2

# ---- every address on exactly one node, the same everywhere ------------------
holder() { # ADDR [K]: the pnn herdctl ip on node K (default 0) shows
	node_herdctl "${2:-0}" -j ip | jq -r --arg a "$1" '.addresses[] | select(.address == $a) | .pnn'
}
kernel_holders() { # ADDR: the nodes whose kernel has it
	local k
	for k in 0 1 2; do
		node_running "$k" || continue
		case $1 in
		*:*) node_exec "$k" ip -o -6 addr show to "$1/128" | grep -q . && printf '%s ' "$k" ;;
		*) node_exec "$k" ip -o -4 addr show to "$1/32" | grep -q . && printf '%s ' "$k" ;;
		esac
	done
}
assigned() { local a; for a in $ADDRS; do [ "$(kernel_holders "$a")" != "" ] || return 1; done; }
wait_for 5 "every public address is assigned" assigned
for a in $ADDRS; do
	h=$(kernel_holders "$a")
	expect_eq "$h" "$(holder "$a") " "$a is on exactly the node herdctl ip names"
	for k in 1 2; do expect_eq "$(holder "$a" "$k")" "$(holder "$a")" "node $k agrees where $a is"; done
done
expect_match "$(node_herdctl 0 ip -v)" "10.92.0.101 node\[[0-2]\] active\[.*\] available\[pub0\] configured\[pub0\] may-host\[0,1,2\]" \
	"ip -v shows interfaces and who may host an address"
counts=$(for a in $ADDRS; do holder "$a"; done | sort | uniq -c | awk '{print $1}' | tr '\n' ' ')
expect_eq "$counts" "2 2 2 " "lcp2 spreads six addresses two per node"
expect_eq "$(holder 10.93.0.100)" 2 "only node 2 has pub1: it hosts 10.93.0.100"

# ---- the client reaches every address, on the node that hosts it ------------
for a in $ADDRS; do
	client_exec ping -c1 -W2 "$a" >/dev/null || fail "ping $a"
	expect_eq "$(client_exec python3 "$tool" connect "$a" 8080 3)" "node $(holder "$a")" \
		"TCP to $a reaches node $(holder "$a")"
done
ok "the client pings every address"
expect_eq "$(kernel_holders "$V6")" "$(holder "$V6") " "IPv6: $V6 is on exactly the node herdctl ip names"
client_exec ping -6 -c1 -W2 "$V6" >/dev/null || fail "ping $V6"
expect_eq "$(client_exec python3 "$tool" connect "$V6" 8080 3)" "node $(holder "$V6")" \
	"IPv6: TCP to $V6 reaches node $(holder "$V6")"

mac_of() { node_exec "$1" cat /sys/class/net/pub0/address; }
neigh_mac() { client_exec ip neigh show "$1" | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i+1)}'; }

# ---- moveip: the open connection is tickled, the neighbour table updated ----
A=10.92.0.101
from=$(holder "$A")
to=$(( (from + 1) % 3 ))
hold=$CLUSTER_DIR/hold.txt
client_bg 0 python3 "$tool" hold "$A" 8080 "$hold"
hold_pid=$CLUSTER_BG_PID
wait_for 3 "the client holds a connection to $A" grep -qs connected "$hold"
expect_eq "$(neigh_mac "$A")" "$(mac_of "$from")" "the client's neighbour entry is node $from's MAC"
t0=$(now_ns)
expect_rc 0 "moveip" -- node_herdctl 0 moveip "$A" "$to"
expect_eq "$(holder "$A")" "$to" "moveip: $A is on node $to"
expect_eq "$(kernel_holders "$A")" "$to " "moveip: only node $to's kernel has $A"
wait_for 3 "the client's connection to the moved $A is reset" grep -qs "^reset" "$hold"
echo "# moveip to reset: $(ms_since "$t0") ms"
wait_for 3 "the client's neighbour entry shows node $to's MAC" \
	eval '[ "$(neigh_mac "$A")" = "$(mac_of "$to")" ]'
expect_eq "$(client_exec python3 "$tool" connect "$A" 8080 3)" "node $to" "a new connection reaches node $to"
bg_stop "$hold_pid"
expect_match "$(node_herdctl "$from" events --type ip-released)" "$A released" "the old node reports the release"
expect_match "$(grep "of $A from" "$(node_log "$to")")" "tickling 1 connection of $A from the release" \
	"moveip: node $to tickled the connection the release handed over"
expect_match "$(node_herdctl "$to" events --type ip-takeover)" "$A taken over" "the new node reports the takeover"
expect_rc 1 "moveip to a node that does not exist" -- node_herdctl 0 moveip "$A" 7
expect_match "$OUT" "no node 7" "and says why"

# ---- a hosting node dies: its addresses move within the bound ---------------
B=10.92.0.104
victim=$(holder "$B")
[ "$victim" != 0 ] || { B=10.92.0.105; victim=$(holder "$B"); }
[ "$victim" != 0 ] || { B=10.92.0.106; victim=$(holder "$B"); }
survivors=$(for k in 0 1 2; do [ "$k" = "$victim" ] || printf '%s ' "$k"; done)
# A connection to $B, open for two tickle intervals: node $victim has sent
# it to the others, so whoever takes $B over can reset it although node
# $victim dies without releasing anything.
hold2=$CLUSTER_DIR/hold2.txt
client_bg 0 python3 "$tool" hold "$B" 8080 "$hold2"
hold2_pid=$CLUSTER_BG_PID
wait_for 3 "the client holds a connection to $B on node $victim" grep -qs "connected node $victim" "$hold2"
sleep 2.2
t0=$(now_ns)
node_crash "$victim"
reached() { local g; g=$(client_exec python3 "$tool" connect "$B" 8080 0.2) && [ "$g" != "node $victim" ]; }
wait_for 10 "the client reaches $B on another node after node $victim died" reached
echo "# crash of node $victim to the client's TCP connect to $B: $(ms_since "$t0") ms"
wait_for 3 "the client's connection to $B on the dead node $victim is reset" grep -qs "^reset" "$hold2"
echo "# crash of node $victim to the reset of the held connection: $(ms_since "$t0") ms"
bg_stop "$hold2_pid"
taker=$(holder "$B" "${survivors%% *}")
expect_match "$(grep "of $B from" "$(node_log "$taker")")" \
	"tickling 1 connection of $B from the replicated list of node $victim, age [0-9.]+s" \
	"node $taker tickled it from node $victim's replicated list"
moved() { local a; for a in $ADDRS $V6; do [ -n "$(kernel_holders "$a")" ] || return 1; done; }
wait_for 5 "every address is hosted by a survivor" moved
wait_for 3 "the client's neighbour entry for $B moved" \
	eval '[ "$(neigh_mac "$B")" = "$(mac_of "$(holder "$B" "${survivors%% *}")")" ]'

# ---- a public interface loses its carrier: PARTIALLYONLINE, addresses move ----
node_start "$victim"
wait_for 10 "node $victim is back and OK" all_ok 0 1 2
wait_for 5 "node $victim hosts addresses again (failback)" \
	eval 'node_herdctl 0 -j ip | jq -e --argjson v '"$victim"' "[.addresses[] | select(.pnn == \$v)] | length > 0"'
node_public_link_down 2
wait_for 3 "node 2 is PARTIALLYONLINE" eval '[ "$(state_of 0 2)" = PARTIALLYONLINE ]'
off2() { local a; for a in $ADDRS; do [ "$(kernel_holders "$a")" != "2 " ] || return 1; [ -n "$(kernel_holders "$a")" ] || return 1; done; }
wait_for 3 "node 2's pub0 addresses moved to nodes 0 and 1" off2
expect_eq "$(holder 10.93.0.100)" 2 "node 2 keeps the address on its working pub1"
expect_match "$(node_herdctl 2 ifaces)" "name:pub0 link:down" "ifaces shows pub0 down"
expect_match "$(node_herdctl 2 events --type iface-down)" "interface pub0 is down" "iface-down is an event"
node_public_link_up 2
wait_for 3 "node 2 is OK again" eval '[ "$(state_of 0 2)" = OK ]'
# As in CTDB, LCP2 moves addresses back only to nodes that hold none (node 2
# keeps 10.93.0.100): node 2 may host pub0's addresses again, and moveip works.
wait_for 3 "node 2 may host pub0 addresses again" \
	eval 'node_herdctl 0 -j ip | jq -e ".addresses[] | select(.address == \"10.92.0.102\") | .may_host | index(2) != null"'
expect_rc 0 "moveip to node 2 after its link came back" -- node_herdctl 0 moveip 10.92.0.102 2

# ---- addip / delip / reloadips ------------------------------------------------
expect_rc 0 "addip" -- node_herdctl 1 addip 10.92.0.150/24 pub0
wait_for 3 "the added address is hosted by node 1 (the only one listing it)" \
	eval '[ "$(holder 10.92.0.150)" = 1 ]'
expect_rc 1 "addip of a bad line" -- node_herdctl 1 addip 10.92.0.151 pub0
expect_match "$OUT" "missing prefix length" "addip says what is wrong"
expect_rc 0 "delip" -- node_herdctl 1 delip 10.92.0.150
wait_for 3 "the deleted address is gone from node 1" eval '[ -z "$(kernel_holders 10.92.0.150)" ]'
for k in 0 1 2; do sed -i '/10.92.0.106/d' "$(node_etc "$k")/public_addresses"; done
expect_rc 0 "reloadips" -- node_herdctl 0 reloadips
wait_for 3 "reloadips: 10.92.0.106 is released everywhere" eval '[ -z "$(kernel_holders 10.92.0.106)" ]'

# ---- maintenance mode holds takeover runs back (moveip still works) ----------
expect_rc 0 "maintenance on" -- node_herdctl 0 maintenance on --for 5m
C=10.92.0.103
h=$(holder "$C")
expect_rc 0 "disable node $h during maintenance" -- node_herdctl 0 disable -n "$h"
sleep 1
expect_eq "$(holder "$C")" "$h" "maintenance: the disabled node keeps $C (no takeover run)"
to=$(( (h + 1) % 3 ))
expect_rc 0 "moveip during maintenance" -- node_herdctl 0 moveip "$C" "$to"
expect_rc 0 "maintenance off" -- node_herdctl 0 maintenance off
wait_for 3 "after maintenance the disabled node hosts nothing" \
	eval 'node_herdctl 0 -j ip | jq -e --argjson h '"$h"' "[.addresses[] | select(.pnn == \$h)] | length == 0"'
expect_rc 0 "enable node $h" -- node_herdctl 0 enable -n "$h"

# ---- never on two nodes at once ----------------------------------------------
sleep 0.5
expect_rc 0 "no address was ever on two nodes at once" -- python3 "$tool" unique "$CLUSTER_DIR"/n*/n*.mon
echo "# $OUT"
stats=$(node_herdctl 0 -j statistics | jq -c .failover)
echo "# node 0 failover statistics: $stats"
cluster_down || fail "cluster_down"
ok "done"
