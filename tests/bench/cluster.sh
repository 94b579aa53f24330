#!/usr/bin/env bash
# tests/bench/cluster.sh — failure detection and leader failover on a
# 5-node cluster, at the default and at the fastest keepalive settings;
# idle CPU and RSS per herdd. Times come from herdd's own event timestamps
# (wall µs), not from polling, so the polling rate does not blur them.
#
#   BENCH_ROUNDS  kills per measurement (default 10)
set -u
cd "$(dirname "$0")/../.."
. tests/lib/common.sh
. tests/cluster/lib.sh
. tests/cluster/checks.sh
. tests/bench/lib.sh
cluster_check || exit $?
cluster_trap
ROUNDS=${BENCH_ROUNDS:-10}
export CLUSTER_CLIENT=0 CLUSTER_QUIET=1
status=0

next_seq() { node_herdctl "$1" -j events --limit 1 | jq -r .next_seq; }
# wall_us of the first event on node K since SEQ matching a jq filter
event_time() { # K SEQ FILTER
	node_herdctl "$1" -j events --since "$(( $2 - 1 ))" --limit 1000 |
		jq -r "[.events[] | select($3)][0].wall_us // empty"
}

# One measurement set. $1: label, $2: detection target ms, rest: conf extra.
measure() {
	local label=$1 target=$2 k victim leader survivor s0 sl t0 t ev det=() fo=() sig
	export CLUSTER_CONF_EXTRA="[cluster]\nrecovery lock = @SHARED@/reclock\n$3"
	cluster_up 5 >/dev/null 2>&1 || { echo "cluster_up failed"; return 1; }
	cluster_wait_until 10 all_ok 0 1 2 3 4 || { echo "cluster did not settle"; return 1; }
	for sig in KILL STOP; do
		det=() fo=()
		for ((r = 0; r < ROUNDS; r++)); do
			leader=$(agree_leader 0 1 2 3 4) || { echo "no leader"; return 1; }
			# detection: a non-leader dies; time until the leader marks it
			victim=$(( (leader + 1 + r % 4) % 5 ))
			s0=$(next_seq "$leader")
			t0=$(now_us)
			if [ $sig = KILL ]; then node_kill "$victim" KILL >/dev/null 2>&1; else node_pause "$victim" >/dev/null 2>&1; fi
			for ((i = 0; i < 200; i++)); do
				t=$(event_time "$leader" "$s0" ".type == \"node-disconnected\" and .node == $victim")
				[ -n "$t" ] && break
				sleep 0.05
			done
			[ -n "$t" ] || { echo "no disconnect seen"; return 1; }
			det+=($(( (t - t0) / 1000 )))
			if [ $sig = KILL ]; then node_start "$victim" >/dev/null 2>&1; else node_resume "$victim" >/dev/null 2>&1; fi
			cluster_wait_until 15 all_ok 0 1 2 3 4 || { echo "no rejoin"; return 1; }

			# failover: the leader dies; time until a new leader finished its recovery
			survivor=$(( (leader + 1) % 5 ))
			for k in 0 1 2 3 4; do eval "seq_$k=\$(next_seq $k)"; done
			t0=$(now_us)
			if [ $sig = KILL ]; then node_kill "$leader" KILL >/dev/null 2>&1; else node_pause "$leader" >/dev/null 2>&1; fi
			t=
			for ((i = 0; i < 300; i++)); do
				l=$(leader_of "$survivor")
				if [ -n "$l" ] && [ "$l" != none ] && [ "$l" != "$leader" ]; then
					eval "sl=\$seq_$l"
					t=$(event_time "$l" "$sl" '.type == "recovery-finished"')
					[ -n "$t" ] && break
				fi
				sleep 0.05
			done
			[ -n "$t" ] || { echo "no failover seen"; return 1; }
			fo+=($(( (t - t0) / 1000 )))
			if [ $sig = KILL ]; then node_start "$leader" >/dev/null 2>&1; else node_resume "$leader" >/dev/null 2>&1; fi
			cluster_wait_until 15 all_ok 0 1 2 3 4 || { echo "no rejoin after failover"; return 1; }
		done
		read -r med max <<<"$(stats "${det[@]}")"
		figure "$label SIG$sig detection, median ($ROUNDS)" "$med" ms
		figure "$label SIG$sig detection, max" "$max" ms "$target"
		read -r med max <<<"$(stats "${fo[@]}")"
		figure "$label SIG$sig leader failover, median" "$med" ms
		figure "$label SIG$sig leader failover, max" "$max" ms "$((target * 2))"
	done
	if [ "$label" = default ]; then
		local pids="" cpu0 cpu1 hz rss
		for k in 0 1 2 3 4; do pids+=" $(node_pid "$k")"; done
		hz=$(getconf CLK_TCK)
		cpu() { local p s=0; for p in $pids; do s=$((s + $(awk '{print $14 + $15}' /proc/$p/stat))); done; echo $s; }
		cpu0=$(cpu); sleep 10; cpu1=$(cpu)
		figure "idle CPU per herdd, 5 nodes (10 s)" \
			"$(awk -v d=$((cpu1 - cpu0)) -v hz="$hz" 'BEGIN{printf "%.2f", d / hz / 10 / 5 * 100}')" "%" 1
		rss=0; for p in $pids; do rss=$(( rss > $(awk '/^VmRSS/{print $2}' /proc/$p/status) ? rss : $(awk '/^VmRSS/{print $2}' /proc/$p/status) )); done
		figure "max RSS of a herdd, 5 nodes" "$rss" KiB 16384
	fi
	cluster_down >/dev/null 2>&1
}

echo "== cluster: detection and failover, 5 nodes, $ROUNDS kills each"
measure default 1500 "" || status=1
measure fastest 500 "$BENCH_FASTEST" || status=1
exit $status
