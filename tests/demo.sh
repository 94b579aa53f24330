#!/usr/bin/env bash
# tests/demo.sh — `make demo`: a herd cluster in network namespaces, shown
# step by step, then torn down (on every exit path, Ctrl-C included).
#
# Needs root (network namespaces) and build/herdd, build/herdctl (make).
# Nothing touches the host network: nodes, bridges and the client live in
# namespaces made by tests/cluster/lib.sh, and all of them are removed.
#
# Knobs:
#   DEMO_NODES=3          cluster size
#   DEMO_LINKS=2          private links per node (redundant links)
#   DEMO_SECTIONS="..."   which sections to show, in order (default: all)
#   DEMO_PAUSE=1          wait for Enter between sections (when on a tty)
#   DEMO_SETTLE=5         seconds to wait for the nodes to connect
#   HERD_BUILD=DIR        where herdd and herdctl are (default build/)
#
# To add a section: write demo_NAME (print what it shows with `say`, run
# commands with `on K CMD...` / `ctl K ARGS...` so the reader sees them) and
# add NAME to SECTIONS below.
# shellcheck disable=SC2317  # sections and helpers are called indirectly
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/cluster/lib.sh
. tests/cluster/lib.sh
# shellcheck source=tests/snmp/lib.sh
. tests/snmp/lib.sh

SECTIONS=(topology status ips snmp failover mail admin events)

DEMO_NODES=${DEMO_NODES:-3}
DEMO_LINKS=${DEMO_LINKS:-2}
read -ra want <<<"${DEMO_SECTIONS:-${SECTIONS[*]}}"

if [ -t 1 ]; then bold=$'\e[1m' dim=$'\e[2m' off=$'\e[0m'; else bold='' dim='' off=''; fi

say() { printf '\n%s== %s%s\n' "$bold" "$*" "$off"; }
note() { printf '%s\n' "$*"; }
# on K CMD...: show and run CMD in node K's namespace.
on() {
	local k=$1; shift
	printf '%sn%s#%s %s\n' "$dim" "$k" "$off" "$*"
	node_exec "$k" "$@"
}
# ctl K ARGS...: show and run herdctl on node K.
ctl() {
	local k=$1; shift
	printf '%sn%s#%s herdctl %s\n' "$dim" "$k" "$off" "$*"
	node_herdctl "$k" "$@"
}
pause() {
	[ -n "${DEMO_PAUSE:-}" ] && [ -t 0 ] || return 0
	read -r -p "${dim}(Enter to go on)${off} " _
}

# --- sections -------------------------------------------------------------------

demo_topology() {
	say "The network: $DEMO_NODES nodes, $DEMO_LINKS private link(s), a public network, a client"
	note "Each node is a network namespace; the bridges live in a separate 'switch'"
	note "namespace, so the host's own network is never touched."
	local k l
	for k in $(cluster_nodes); do
		printf '  n%s  %-14s private' "$k" "$(node_ns "$k")"
		for ((l = 0; l < DEMO_LINKS; l++)); do printf ' %s' "$(node_addr "$k" "$l")"; done
		printf '  public %s\n' "$(node_public_addr "$k")"
	done
	printf '  client %-12s public %s\n' "$(client_ns 0)" "$(client_addr 0)"
	note "The nodes file every node reads:"
	sed 's/^/    /' "$(node_etc 0)/nodes"
	on 0 ip -br addr
}

# Status 0 when node 0 sees every node connected.
all_connected() { ! node_herdctl 0 status 2>/dev/null | grep -q DISCONNECTED; }

demo_status() {
	say "Every node answers herdctl status"
	local k
	if ! cluster_wait_until "${DEMO_SETTLE:-5}" all_connected; then
		note "(after ${DEMO_SETTLE:-5}s n0 still sees disconnected nodes; showing them as they are)"
	fi
	for k in $(cluster_nodes); do
		ctl "$k" status || note "(herdctl status on n$k exited $?)"
		echo
	done
	say "The same as JSON, for scripts and monitoring"
	ctl 0 -j status || note "(herdctl -j status exited $?)"
}

# Status 0 when node K follows a leader other than OLD.
new_leader() { local l; l=$(node_herdctl "$1" leader 2>/dev/null); [ -n "$l" ] && [ "$l" != none ] && [ "$l" != "$2" ]; }

demo_failover() {
	local leader other k
	leader=$(node_herdctl 0 leader)
	other=$(( (leader + 1) % DEMO_NODES ))
	say "Failover: the leader (node $leader) hangs (SIGSTOP): its lock lease runs out"
	ctl "$other" leader
	node_pause "$leader"
	note "waiting for a new leader..."
	cluster_wait_until 5 new_leader "$other" "$leader" ||
		note "(no new leader within 5 s)"
	ctl "$other" status
	ctl "$other" events --limit 6
	say "Node $leader wakes up, finds its lease gone, steps down and rejoins"
	node_resume "$leader"
	cluster_wait_until 5 all_connected || true
	sleep 1
	ctl "$leader" status
}

demo_ips() {
	say "Public addresses: the leader spreads them over the healthy nodes (CTDB's LCP2)"
	cluster_wait_until 5 eval '[ "$(node_herdctl 0 -j ip | jq "[.addresses[] | select(.pnn != null)] | length")" = 4 ]' || true
	ctl 0 ip -v
	local h; h=$(node_herdctl 0 -j ip | jq -r '.addresses[0].pnn')
	say "The client reaches 10.92.0.101 on node $h"
	printf '%sclient#%s ping -c1 10.92.0.101\n' "$dim" "$off"
	client_exec ping -c1 -W2 10.92.0.101 | head -2
	say "Move it by hand: herdctl moveip 10.92.0.101 $(( (h + 1) % DEMO_NODES ))"
	ctl 0 moveip 10.92.0.101 $(( (h + 1) % DEMO_NODES ))
	ctl 0 ip
}

demo_snmp() {
	[ -n "$SNMP_OK" ] || { say "SNMP: skipped ($SNMP_WHY)"; return 0; }
	say "SNMP: snmpd (AgentX master) and herd-agentx on node 0, 127.0.0.1 only"
	local mib
	mapfile -t mib < <(_sn_mibargs)
	note "snmptable of the node table (HERD-MIB), as an NMS sees it:"
	printf '%sn0#%s snmptable -v2c -c %s localhost:%s HERD-MIB::herdNodeTable\n' "$dim" "$off" \
		"$SNMP_COMMUNITY" "$SNMP_PORT"
	snmp_cmd 0 snmptable -v2c -c "$SNMP_COMMUNITY" -Cw 120 "${mib[@]}" "127.0.0.1:$SNMP_PORT" \
		HERD-MIB::herdNodeTable 2>&1 | head -12 || true
	note "and the first values of a walk of the whole module:"
	snmp_walk 2>&1 | head -12 || true
	trap_mark 0
}

demo_mail() {
	[ -n "$MAIL_OK" ] || { say "Mail: skipped (python3-aiosmtpd missing)"; return 0; }
	say "What the failover above sent: traps (snmptrapd's log on node 0) and mail (the sink)"
	if [ -n "$SNMP_OK" ]; then
		note "notifications received by snmptrapd:"
		traps 0 | tail -8 | cut -c1-200
	fi
	note "mails received by the sink (node 0 mails events of severity warning and up):"
	local m
	for m in $(ls "$CLUSTER_DIR"/mailbox/*.eml 2>/dev/null | tail -2); do
		grep -m1 '^Subject:' "$m"
	done
	m=$(ls -t "$CLUSTER_DIR"/mailbox/*.eml 2>/dev/null | head -1)
	[ -n "$m" ] && { note "the newest one:"; sed -n '/^$/,$p' "$m" | head -20; }
	ctl 0 notify
}

demo_admin() {
	say "Admin verbs: disable node 1, then enable it again (root only)"
	ctl 0 disable -n 1
	ctl 2 status
	ctl 0 enable -n 1
	say "Cluster-wide maintenance mode (a planned switch reboot changes nothing)"
	ctl 0 maintenance on --for 10m
	ctl 1 status
	ctl 0 maintenance off
}

demo_events() {
	say "The event log every sink will read (herdctl events; -f follows)"
	ctl 0 events --limit 12
	say "Counters (herdctl statistics)"
	ctl 0 statistics | head -30
}

# --- main ---------------------------------------------------------------------------

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: needs root (it builds network namespaces); try: sudo make demo" >&2
	exit 1
fi
rc=0; cluster_check || rc=$?
if [ $rc -ne 0 ]; then
	echo "demo: cannot run a cluster here (see above)" >&2
	exit 1
fi

for s in "${want[@]}"; do
	if ! declare -F "demo_$s" >/dev/null; then
		echo "demo: no section '$s' (have: ${SECTIONS[*]})" >&2
		exit 2
	fi
done

say "herd demo: bringing up a $DEMO_NODES-node cluster"
cluster_trap
CLUSTER_LINKS=$DEMO_LINKS CLUSTER_CLIENT=1
export CLUSTER_CONF_EXTRA="[cluster]\nrecovery lock = @SHARED@/reclock"
export CLUSTER_PUBLIC_ADDRESSES="10.92.0.101/24 pub0
10.92.0.102/24 pub0
10.92.0.103/24 pub0
10.92.0.104/24 pub0"
# Node 0 mails to a sink on its own 127.0.0.1 (Debian's aiosmtpd).
export CLUSTER_CONF_EXTRA_0="[mail]\nenabled = yes\nsmtp server = 127.0.0.1:2525\nseverity = warning\ncoalesce = 1s"
note "Every node takes the recovery lock from the same file (shared storage stand-in)."
SNMP_OK=1 SNMP_WHY="" MAIL_OK=1
snmp_check >/dev/null 2>&1 || { SNMP_OK=""; SNMP_WHY="snmpd, snmptrapd or herd-agentx missing"; }
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || MAIL_OK=""

if ! cluster_up "$DEMO_NODES"; then
	echo "demo: the cluster did not come up (herdd logs above)" >&2
	exit 1
fi
note "herdd runs on every node; configs and logs are in $CLUSTER_DIR (removed at the end)."
if [ -n "$MAIL_OK" ]; then
	mkdir -p "$CLUSTER_DIR/mailbox"
	node_bg 0 /usr/bin/python3 tests/notify/smtpd.py --dir "$CLUSTER_DIR/mailbox" --port 2525 \
		>>"$CLUSTER_DIR/smtpd.log" 2>&1
	note "a mail sink (aiosmtpd) listens on node 0's 127.0.0.1:2525; mail goes to $CLUSTER_DIR/mailbox"
fi
if [ -n "$SNMP_OK" ] && ! snmp_up 0 >/dev/null 2>&1; then
	SNMP_OK=""; SNMP_WHY="snmpd or herd-agentx did not come up"
fi

for s in "${want[@]}"; do
	pause
	"demo_$s" || rc=1
done

say "Tearing down: stopping herdd, deleting the namespaces"
tag=$CLUSTER_TAG
cluster_down || rc=1
if ip netns list | grep -q "^herd-$tag-"; then
	echo "demo: namespaces herd-$tag-* are still there" >&2
	rc=1
fi
if [ $rc -eq 0 ]; then say "Done: nothing is left behind"; else say "Done, with errors (see above)"; fi
exit $rc
