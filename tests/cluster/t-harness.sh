#!/usr/bin/env bash
# tests/cluster/t-harness.sh — the cluster harness (tests/cluster/lib.sh)
# tests itself: a 3-node cluster with two private links comes up, every node
# answers `herdctl status`, the links carry traffic where they should (and
# stop when a fault says so), the root namespace gains nothing, and teardown
# removes every namespace, process and file — after a normal run, a second
# run, a failing subshell, a SIGTERM, a closed output (SIGPIPE) and a
# cluster_up that fails.
#
# Run from the repo top: bash tests/cluster/t-harness.sh
# Exit 0 pass, 77 skip (not root, no netns), other = fail.
# HERD_CLUSTER_STANDIN=1 runs it with `sleep` standing in for herdd (status
# = the process is alive), for work on the harness without the daemon.
# shellcheck disable=SC2317  # functions called through check/cluster_wait_until
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/cluster/lib.sh
. tests/cluster/lib.sh
cluster_check || exit $?

standin=${HERD_CLUSTER_STANDIN:-}
[ -z "$standin" ] || echo "# stand-in mode: sleep plays herdd"

fails=0 failed=()
scratch=$(mktemp -d "${TMPDIR:-/tmp}/herd-t-harness.XXXXXX")
# On exit: repeat the failed checks last (run.sh shows the log's tail), and
# remove the scratch dir.
at_exit() {
	[ ${#failed[@]} -eq 0 ] || printf 'failed: %s\n' "${failed[@]}"
	rm -rf -- "$scratch"
}
CLUSTER_ON_EXIT=at_exit
cluster_trap

ok() { echo "ok - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); failed+=("$*"); }
# check DESCRIPTION CMD...: CMD must succeed.
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
# check_not DESCRIPTION CMD...: CMD must fail.
check_not() { local what=$1; shift; if "$@"; then fail "$what"; else ok "$what"; fi; }

# The root namespace, without the fields that change by themselves.
root_snapshot() {
	{
		echo "## link"; ip -o link
		echo "## addr"; ip -o addr
		echo "## route"; ip route
		echo "## route6"; ip -6 route
	} 2>&1 | sed -E 's/(valid_lft|preferred_lft) [^ ]+//g; s/expires [^ ]+//g'
}
root_unchanged() { # WHEN
	root_snapshot >"$scratch/root.now"
	if diff -u "$scratch/root.before" "$scratch/root.now"; then
		ok "root namespace unchanged ($1)"
	else
		fail "root namespace changed ($1)"
	fi
}

ping1() { # NODE|client ADDR [DEV]: one echo, 1 s
	local who=$1 addr=$2
	shift 2
	if [ "$who" = client ]; then client_exec ping -n -q -c1 -W1 "$addr" >/dev/null 2>&1
	else node_exec "$who" ping -n -q -c1 -W1 "$addr" >/dev/null 2>&1; fi
}
# A few tries: a link that just came back needs ARP and a moment.
ping_soon() { cluster_wait_until 5 ping1 "$@"; }

# What this run made, for the "all gone" checks.
record_run() { # FILE
	{
		echo "tag=$CLUSTER_TAG"
		echo "dir=$CLUSTER_DIR"
		echo "pids=\"$(for k in $(cluster_nodes); do node_pid "$k"; done | tr '\n' ' ')\""
		echo "starts=\"$(for k in $(cluster_nodes); do _cl_procstat "$(node_pid "$k")" | cut -d' ' -f2; done | tr '\n' ' ')\""
	} >"$1"
}
# Everything recorded in FILE is gone.
all_gone() { # FILE WHAT
	local tag dir pids starts p i=0 left ps
	# shellcheck disable=SC1090
	. "$1"
	left=$(ip netns list | awk '{print $1}' | grep -E "^herd-$tag-" || true)
	if [ -z "$left" ]; then ok "$2: namespaces gone"; else fail "$2: namespaces left: $left"; fi
	if [ ! -e "$dir" ]; then ok "$2: $dir removed"; else fail "$2: $dir still there"; fi
	local -a st
	read -ra st <<<"$starts"
	left=
	for p in $pids; do
		# Same pid and same start time: still our process.
		if ps=$(_cl_procstat "$p") && [ "${ps#* }" = "${st[i]}" ]; then left+=" $p"; fi
		i=$((i + 1))
	done
	if [ -z "$left" ] && [ -n "$pids" ]; then ok "$2: herdd processes gone ($pids)"
	else fail "$2: herdd processes left:$left (recorded: '$pids')"; fi
}

root_snapshot >"$scratch/root.before"

# --- 1. three nodes, two private links, one client ---------------------------
echo "# 1. cluster_up 3 with CLUSTER_LINKS=2"
CLUSTER_LINKS=2
CLUSTER_CONF_EXTRA='[logging]\nlevel = debug'
CLUSTER_PUBLIC_ADDRESSES='10.92.0.101/24 pub0\n10.92.0.102/24 pub0'
if ! cluster_up 3; then
	fail "cluster_up 3"
	exit 1
fi
ok "cluster_up 3"

check "nodes file lists addr1,addr2 per line" \
	diff <(printf '10.91.0.10,10.91.1.10\n10.91.0.11,10.91.1.11\n10.91.0.12,10.91.1.12\n') "$(node_etc 0)/nodes"
check "CLUSTER_CONF_EXTRA replaced [logging] level" \
	grep -qx 'level = debug' "$(node_etc 2)/herd.conf"
check_not "no duplicate level key" grep -qx 'level = info' "$(node_etc 2)/herd.conf"
check "public_addresses written" \
	diff <(printf '10.92.0.101/24 pub0\n10.92.0.102/24 pub0\n') "$(node_etc 1)/public_addresses"

for k in $(cluster_nodes); do
	if [ -n "$standin" ]; then
		check "n$k: stand-in runs" node_running "$k"
	else
		check "n$k: herdctl status answers" node_herdctl "$k" status
	fi
	check "n$k: herdd runs in $(node_ns "$k")" \
		test "$(ip netns identify "$(node_pid "$k")")" = "$(node_ns "$k")"
done

for a in $(cluster_nodes); do
	for b in $(cluster_nodes); do
		[ "$a" != "$b" ] || continue
		for l in 0 1; do
			check "ping n$a -> n$b over link $l ($(node_addr "$b" "$l"))" ping1 "$a" "$(node_addr "$b" "$l")"
		done
	done
	check "ping client -> n$a public ($(node_public_addr "$a"))" ping1 client "$(node_public_addr "$a")"
	check "ping n$a -> client ($(client_addr 0))" ping1 "$a" "$(client_addr 0)"
done
check_not "client has no route to the private network" ping1 client "$(node_addr 0 0)"
root_unchanged "cluster up"

# --- 2. faults ------------------------------------------------------------------
echo "# 2. faults"
node_link_down 1 0
check "n1 priv0 reports no carrier" sh -c "ip -n $(node_ns 1) link show priv0 | grep -q NO-CARRIER"
check_not "link 0 down: n0 cannot reach n1 on link 0" ping1 0 "$(node_addr 1 0)"
check "link 0 down: n0 reaches n1 on link 1" ping1 0 "$(node_addr 1 1)"
node_link_up 1 0
check "link 0 up again: n0 reaches n1 on link 0" ping_soon 0 "$(node_addr 1 0)"

node_link_down 2 all
check_not "all links down: n0 cannot reach n2 on link 1" ping1 0 "$(node_addr 2 1)"
node_link_up 2 all
check "all links up: n0 reaches n2 on link 1" ping_soon 0 "$(node_addr 2 1)"

node_public_link_down 2
check_not "public link down: client cannot reach n2" ping1 client "$(node_public_addr 2)"
check "public link down: n2 still reachable on link 0" ping1 0 "$(node_addr 2 0)"
node_public_link_up 2
check "public link up: client reaches n2" ping_soon client "$(node_public_addr 2)"

rc=0; cluster_partition "0 1" || rc=$?
if [ $rc -eq 77 ]; then
	echo "# skip partition: nftables does not work here"
elif [ $rc -ne 0 ]; then
	fail "cluster_partition \"0 1\" (status $rc)"
else
	check "partition [0 1][2]: n0 reaches n1" ping1 0 "$(node_addr 1 0)"
	check_not "partition [0 1][2]: n0 cannot reach n2 on link 0" ping1 0 "$(node_addr 2 0)"
	check_not "partition [0 1][2]: n2 cannot reach n1 on link 1" ping1 2 "$(node_addr 1 1)"
	check "partition [0 1][2]: client still reaches n2" ping1 client "$(node_public_addr 2)"
	cluster_heal
	check "healed: n0 reaches n2" ping_soon 0 "$(node_addr 2 0)"
fi

rc=0; node_loss 2 100 0 || rc=$?
if [ $rc -eq 77 ]; then
	echo "# skip loss: neither nftables nor netem works here"
elif [ $rc -ne 0 ]; then
	fail "node_loss 2 100 0 (status $rc)"
else
	check_not "100% loss on n2 link 0: n0 cannot reach it" ping1 0 "$(node_addr 2 0)"
	check "100% loss on n2 link 0: link 1 still works" ping1 0 "$(node_addr 2 1)"
	node_loss 2 0 0
	check "loss cleared: n0 reaches n2 on link 0" ping_soon 0 "$(node_addr 2 0)"
fi

rc=0; node_delay 0 1 0 || rc=$?
if [ $rc -eq 77 ]; then echo "# skip delay: no sch_netem"
elif [ $rc -eq 0 ]; then check "node_delay 0 0 clears" node_delay 0 0 0
else fail "node_delay (status $rc)"; fi

pstate() { _cl_procstat "$(node_pid "$1")" | cut -d' ' -f1; }
node_pause 1
check "node_pause: n1's herdd is stopped (T)" test "$(pstate 1)" = T
node_resume 1
check "node_resume: n1's herdd runs again" test "$(pstate 1)" != T
[ -n "$standin" ] || check "n1 answers status after resume" cluster_wait_until 5 node_herdctl 1 status

# --- 3. stopping and starting one node --------------------------------------------
echo "# 3. node_stop / node_start / node_kill"
check "node_stop 1: herdd exits 0 on SIGTERM" node_stop 1
check_not "n1 not running after node_stop" node_running 1
[ -n "$standin" ] || check_not "herdctl status fails on a stopped node" node_herdctl 1 status
check "node_start 1" node_start 1
check "n1 running again" node_running 1
check "node_kill 2 (SIGKILL)" node_kill 2
check_not "n2 not running after node_kill" node_running 2
check "node_start 2" node_start 2
check "cluster_wait_status" cluster_wait_status 10
check_not "node_ns rejects a node that does not exist" node_ns 3

# --- 4. teardown --------------------------------------------------------------------
echo "# 4. cluster_down"
record_run "$scratch/run1"
# A process a test left in a namespace is ended by cluster_down too.
node_exec 0 sleep 1000 &
stray=$!
sleep 0.2
if cluster_down; then fail "cluster_down reports the stray process"
else ok "cluster_down reports the stray process"; fi
check "stray process in n0 ended" cluster_wait_until 3 sh -c "! kill -0 $stray 2>/dev/null"
{ wait "$stray"; } 2>/dev/null
all_gone "$scratch/run1" "first cluster"
root_unchanged "after cluster_down"
check "cluster_down again is a no-op" cluster_down

# --- 5. a second cluster in the same script -------------------------------------------
echo "# 5. second cluster_up"
# shellcheck disable=SC2034
CLUSTER_LINKS=1 CLUSTER_CLIENT=0 CLUSTER_CONF_EXTRA='' CLUSTER_PUBLIC_ADDRESSES='' CLUSTER_IPV6=1
if cluster_up 2; then
	ok "second cluster_up 2 (one link, no client, IPv6)"
	check "nodes file: one address per line" \
		diff <(printf '10.91.0.10\n10.91.0.11\n') "$(node_etc 1)/nodes"
	check "ping n1 -> n0" ping1 1 "$(node_addr 0)"
	check "IPv6: ping n1 -> n0 private ($(node_addr6 0))" ping1 1 "$(node_addr6 0)"
	check "IPv6: ping n0 -> n1 public ($(node_public_addr6 1))" ping1 0 "$(node_public_addr6 1)"
	check_not "no client namespace with CLUSTER_CLIENT=0" client_ns 0
	record_run "$scratch/run2"
	check "second cluster_down" cluster_down
	all_gone "$scratch/run2" "second cluster"
else
	fail "second cluster_up 2"
	cluster_down
fi

# --- 6. a failing test still cleans up -----------------------------------------------
echo "# 6. failing subshell"
(
	# shellcheck disable=SC2034
	CLUSTER_QUIET=1 CLUSTER_ON_EXIT=''
	cluster_trap
	cluster_up 2 || exit 2
	record_run "$scratch/run3"
	exit 1
)
rc=$?
check "failing subshell exited 1" test $rc -eq 1
if [ -e "$scratch/run3" ]; then all_gone "$scratch/run3" "failing subshell"
else fail "failing subshell: cluster did not come up"; fi

echo "# 7. SIGTERM"
(
	# shellcheck disable=SC2034
	CLUSTER_QUIET=1 CLUSTER_ON_EXIT=''
	cluster_trap
	cluster_up 2 || exit 2
	record_run "$scratch/run4.tmp"
	mv "$scratch/run4.tmp" "$scratch/run4"
	while :; do sleep 0.1; done
) &
sub=$!
cluster_wait_until 30 test -e "$scratch/run4" || true
kill -TERM "$sub"
rc=0; wait "$sub" || rc=$?
check "SIGTERM: subshell exited 143" test $rc -eq 143
if [ -e "$scratch/run4" ]; then all_gone "$scratch/run4" "SIGTERM"
else fail "SIGTERM: cluster did not come up"; fi

echo "# 7b. output closed (SIGPIPE), e.g. demo | head"
(
	# shellcheck disable=SC2034
	CLUSTER_QUIET=1 CLUSTER_ON_EXIT=''
	cluster_trap
	cluster_up 2 || exit 2
	record_run "$scratch/run5"
	while :; do echo "output nobody reads"; sleep 0.05; done
) | true
rc=${PIPESTATUS[0]}
check "SIGPIPE: subshell exited 141" test "$rc" -eq 141
if [ -e "$scratch/run5" ]; then all_gone "$scratch/run5" "SIGPIPE"
else fail "SIGPIPE: cluster did not come up"; fi

echo "# 8. cluster_up fails: herdd exits at once"
mkdir -p "$scratch/fakebin"
printf '#!/bin/sh\necho "fake herdd: bad configuration" >&2\nexit 3\n' >"$scratch/fakebin/herdd"
printf '#!/bin/sh\nexit 1\n' >"$scratch/fakebin/herdctl"
chmod +x "$scratch/fakebin/herdd" "$scratch/fakebin/herdctl"
out=$(
	# shellcheck disable=SC2034
	HERD_BUILD=$scratch/fakebin _CL_STANDIN='' _cl_trapped=
	cluster_up 2 2>&1
	echo "rc=$?"
	echo "tag=$CLUSTER_TAG"
)
printf '%s\n' "$out" | sed 's/^/  | /'
check "failed cluster_up returns 1" grep -qx 'rc=1' <<<"$out"
check "failed cluster_up shows herdd's log" grep -q 'fake herdd: bad configuration' <<<"$out"
check "failed cluster_up names the exit status" grep -q 'exit status 3' <<<"$out"
tag=$(sed -n 's/^tag=//p' <<<"$out")
check "failed cluster_up had made namespaces" test -n "$tag"
check_not "failed cluster_up without a trap cleaned up itself" \
	sh -c "ip netns list | grep -q '^herd-$tag-'"

root_unchanged "end"
left=$(cluster_stale)
[ -z "$left" ] || echo "# note: stale herd namespaces from other runs: $left"

if [ $fails -gt 0 ]; then
	echo "FAILED: $fails check(s)"
	exit 1
fi
echo "PASS"
exit 0
