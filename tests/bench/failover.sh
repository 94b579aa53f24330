#!/usr/bin/env bash
# tests/bench/failover.sh — public-address failover as a client sees it, on
# a 5-node cluster with 10 public addresses, at the default and at the
# fastest keepalive settings (the presets of cluster.sh). Every node serves
# TCP on port 8080 (tests/cluster/failover.py serve, greeting "node K").
#
# One round: a node hosting an address (never the leader: its own death
# adds an election, measured by cluster.sh's leader failover) fails, and
# the figure is the time from the fault to the client's first TCP
# connection to that address greeted by another node (failover.py
# reconnect: a new SYN every 10 ms, so a lost SYN costs no retransmit
# timeout; the client has talked to the address before, so its neighbour
# entry points at the old node). The faults:
#
#   crash       as node_crash: its floating addresses vanish, herdd is
#               SIGKILLed (the clock starts at the SIGKILL). The node's
#               kernel lives on and closes herdd's connections, so the
#               peers notice at once.
#   power loss  its links are cut first, then the same: the peers notice
#               only from missing heartbeats (keepalive interval x limit).
#   SIGSTOP     herdd hangs: missing heartbeats again, and its addresses
#               stay configured (its server keeps answering) until the
#               new holder's gratuitous ARP redirects the client.
#
# Also shown: the time of herd's own ip-takeover event on the new holder,
# to tell herd's delay from the client's. After each round the node comes
# back; the next round starts when every node is OK, every address is on
# exactly one node's kernel and the node hosts addresses again.
#
#   BENCH_ROUNDS  faults per measurement (default 10)
set -u
cd "$(dirname "$0")/../.."
. tests/lib/common.sh
. tests/cluster/lib.sh
. tests/cluster/checks.sh
. tests/bench/lib.sh
cluster_check || exit $?
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
cluster_trap
ROUNDS=${BENCH_ROUNDS:-10}
NODES="0 1 2 3 4"
tool=$PWD/tests/cluster/failover.py
ADDRS=$(seq -f '10.92.0.%g' 101 110)
CLUSTER_PUBLIC_ADDRESSES=$(for a in $ADDRS; do echo "$a/24 pub0"; done)
export CLUSTER_CLIENT=1 CLUSTER_QUIET=1 CLUSTER_PUBLIC_ADDRESSES
status=0

serve() { node_bg "$1" python3 "$tool" serve 8080 "node $1" >/dev/null 2>&1; }
export CLUSTER_SETUP_HOOK=serve

# One address node K's herdctl ip says node V hosts.
addr_of() { # K V
	node_herdctl "$1" -j ip |
		jq -r --argjson v "$2" '[.addresses[] | select(.pnn == $v) | .address][0] // empty'
}
# Every address on exactly one node's kernel, and node V among the holders.
settled() { # V
	local k held
	held=$(for k in $NODES; do
		node_exec "$k" ip -o -4 addr show dev pub0 |
			awk -v k="$k" '$4 ~ /^10\.92\.0\.1[0-9][0-9]\// {print k, $4}'
	done)
	[ "$(printf '%s\n' "$held" | awk '{print $2}' | sort -u | grep -c .)" -eq 10 ] &&
		[ "$(printf '%s\n' "$held" | grep -c .)" -eq 10 ] &&
		printf '%s\n' "$held" | grep -q "^$1 "
}

# The faults: what happens before the clock starts, what after, and how
# each ends. A crash is node_crash's two steps with the clock started
# between them: in a real power loss the addresses vanish and herdd dies at
# the same instant, and herd can react only to the latter (the harness
# takes tens of ms between the two on a busy machine).
prefault() { # crash|power|SIGSTOP K
	local a
	[ "$1" = crash ] || return 0
	for a in $(node_exec "$2" ip -o addr show dev pub0 |
		awk '$4 ~ /^10\.92\.0\.1[0-9][0-9]\// {print $4}'); do
		node_exec "$2" ip addr del "$a" dev pub0
	done
}
fault() { # crash|power|SIGSTOP K
	case $1 in
	crash) node_kill "$2" KILL ;;
	power) node_link_down "$2" all && node_public_link_down "$2" && node_crash "$2" ;;
	SIGSTOP) node_pause "$2" ;;
	esac >/dev/null 2>&1
}
unfault() { # crash|power|SIGSTOP K
	case $1 in
	crash) node_start "$2" ;;
	power) node_link_up "$2" all && node_public_link_up "$2" && node_start "$2" ;;
	SIGSTOP) node_resume "$2" ;;
	esac >/dev/null 2>&1
}

# One fault of node V, which hosts address A: sets ROUND_MS to the
# milliseconds to the client's connection to A on another node. The client
# (python, slow to start) is started first and told the fault's start time
# through a fifo once it is ready. (Not in $(...): only this shell may
# signal and reap herdd.)
round() { # FAULT V A
	local go=$CLUSTER_DIR/go out=$CLUSTER_DIR/reconnect.out pid i t0 n rc=0
	[ -p "$go" ] || mkfifo "$go"
	# The client knows A (a neighbour entry for the old node's MAC).
	[ "$(client_exec python3 "$tool" connect "$3" 8080 3)" = "node $2" ] ||
		{ echo "$3 does not answer as node $2" >&2; return 1; }
	exec 7<>"$go"
	client_bg 0 python3 "$tool" reconnect "$3" 8080 "node $2" 30 "@$go" >"$out" 2>&1
	pid=$CLUSTER_BG_PID
	for ((i = 0; i < 500; i++)); do
		grep -q '^ready' "$out" && break
		sleep 0.02
	done
	prefault "$1" "$2"
	t0=$(now_us)
	echo "$t0" >&7
	fault "$1" "$2"
	wait "$pid" || rc=$?
	exec 7>&-
	[ $rc -eq 0 ] || { echo "$3 did not move within 30 s: $(tail -n 3 "$out")" >&2; return 1; }
	read -r ROUND_MS _ n <<<"$(tail -n 1 "$out")"
	# herd's own side: when the new holder says it took A over.
	ROUND_TAKE_MS=$(node_herdctl "$n" -j events --limit 100 |
		jq -r --arg s "$3 taken over" --argjson t0 "$t0" \
			'[.events[] | select(.type == "ip-takeover" and .subject == $s and .wall_us >= $t0)][0].wall_us // empty')
	[ -z "$ROUND_TAKE_MS" ] || ROUND_TAKE_MS=$(( (ROUND_TAKE_MS - t0) / 1000 ))
}

# One measurement set. $1: label, rest: conf extra.
measure() {
	local label=$1 fault name r k leader victim a med max others=() ms=() take=()
	export CLUSTER_CONF_EXTRA="[cluster]\nrecovery lock = @SHARED@/reclock\n$2"
	cluster_up 5 >/dev/null 2>&1 || { echo "cluster_up failed"; return 1; }
	cluster_wait_until 15 all_ok $NODES || { echo "cluster did not settle"; return 1; }
	cluster_wait_until 15 settled 0 || { echo "addresses did not settle"; return 1; }
	for fault in crash power SIGSTOP; do
		ms=() take=()
		for ((r = 0; r < ROUNDS; r++)); do
			leader=$(agree_leader $NODES) || { echo "no leader"; return 1; }
			others=()
			for k in $NODES; do [ "$k" = "$leader" ] || others+=("$k"); done
			victim=${others[r % ${#others[@]}]}
			a=$(addr_of "$leader" "$victim")
			[ -n "$a" ] || { echo "node $victim hosts no address"; return 1; }
			round "$fault" "$victim" "$a" || { echo "$label $fault: round failed"; return 1; }
			ms+=("$ROUND_MS")
			[ -z "$ROUND_TAKE_MS" ] || take+=("$ROUND_TAKE_MS")
			unfault "$fault" "$victim"
			cluster_wait_until 30 all_ok $NODES ||
				{ echo "$label $fault: node $victim did not rejoin"; return 1; }
			cluster_wait_until 30 settled "$victim" ||
				{ echo "$label $fault: addresses did not settle after node $victim came back"; return 1; }
		done
		case $fault in power) name="$label power loss" ;; *) name="$label $fault" ;; esac
		read -r med max <<<"$(stats "${ms[@]}")"
		figure "$name: client reconnects, median ($ROUNDS)" "$med" ms
		figure "$name: client reconnects, max" "$max" ms
		[ ${#take[@]} -gt 0 ] || continue
		read -r med max <<<"$(stats "${take[@]}")"
		figure "$name: herd's ip-takeover, median" "$med" ms
		figure "$name: herd's ip-takeover, max" "$max" ms
	done
	cluster_down >/dev/null 2>&1
}

echo "== failover: public address, fault to the client's TCP connect, 5 nodes, $ROUNDS faults each"
measure default "" || { status=1; cluster_down >/dev/null 2>&1; }
measure fastest "$BENCH_FASTEST" || { status=1; cluster_down >/dev/null 2>&1; }
exit $status
