#!/usr/bin/env bash
# tests/bench/snmp.sh — HERD-MIB through herd-agentx (issue 5's benchmark).
#
# On the largest cluster the harness runs well here (BENCH_SNMP_NODES, 16
# nodes) with node 0's event ring full (1,024 events, from reloads), the SNMP
# stack of tests/snmp/lib.sh on node 0 (snmpd as AgentX master, snmptrapd,
# herd-agentx):
#
#   walk     snmpbulkwalk of herdMIB (v2c, numeric, max-repetitions 10),
#            median of BENCH_SNMP_ROUNDS, side by side in the same run with
#            a walk of a table snmpd serves itself, the nsExtendOutLine rows
#            of eight `extend`s (cat of files) whose output has exactly as
#            many lines as the HERD-MIB walk has varbinds (so both walks move
#            the same number of varbinds in the same number of PDUs; only who
#            answers differs; the lines are short, 7 octets). Target:
#            HERD-MIB / built-in <= 2.5 (AgentX costs about 2x: the master
#            sends one AgentX request per repetition).
#            What AgentX costs on this machine is measured too, not assumed:
#            the same extend rows served through AgentX by net-snmp's own
#            subagent (a second snmpd, -X, its extends rooted at
#            netSnmpPlaypen.9999.7), walked in the same rounds. The issue's
#            target over that AgentX limit is 2.5 / 2 = 1.25.
#   handling herd-agentx's own request handling during the HERD-MIB walk:
#            the increase of herdAgentHandlingTime (the time its HERD-MIB
#            handlers take, rows found and values encoded) as a share of the
#            walk's wall time. Target < 10%. Shown beside it: the whole
#            process's CPU time (schedstat: net-snmp's AgentX session layer
#            and the kernel's socket and scheduling work included), and the
#            same for the net-snmp subagent over its walk.
#   GETs     sequential GETs of herdClusterName.0 over one SNMP session:
#            snmptest fed 5,000 one-varbind GET requests on stdin (one
#            process, one socket, each request sent when the previous
#            answer came: snmpget in a loop would measure fork and exec,
#            and one snmpget with many varbinds would be one request).
#            Figure: µs per GET, target <= 200 (= 5,000/s); the same for
#            snmpd's own sysUpTime.0 shows what the client and the master
#            alone cost on this machine, and a GET of one nsExtendOutLine row
#            of the net-snmp subagent what a GET through AgentX costs here.
#   latency  event to trap logged: herdd's event time (herdctl events
#            wall_us) to the moment the trap's line appears in snmptrapd's
#            log (a reader stamps each line as tail -F hands it over; that
#            adds well under a millisecond). 30 config-reloaded events;
#            median (target <= 20 ms) and max.
#   RSS      herd-agentx's VmRSS and VmHWM after all of it.
#
#   BENCH_SNMP_NODES   cluster size (default 16)
#   BENCH_SNMP_ROUNDS  walks of each kind (default 5)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/common.sh
. tests/cluster/lib.sh
. tests/cluster/checks.sh
. tests/bench/lib.sh
. tests/snmp/lib.sh
rc=0
cluster_check || rc=$?
[ $rc -eq 0 ] && { snmp_check || rc=$?; }
if [ $rc -eq 77 ]; then echo "snmp benchmark skipped"; exit 0; fi
[ $rc -eq 0 ] || exit $rc
command -v jq >/dev/null || { echo "snmp benchmark skipped: jq is missing"; exit 0; }
command -v snmptest >/dev/null || { echo "snmp benchmark skipped: snmptest is missing"; exit 0; }
N=${BENCH_SNMP_NODES:-16}
ROUNDS=${BENCH_SNMP_ROUNDS:-5}
GETS=5000
LAT_EVENTS=30
export CLUSTER_CLIENT=0 CLUSTER_QUIET=1 CLUSTER_START_TIMEOUT=90
# Eight extends (snmpd keeps about 96 KiB of a command's output): their
# output lines together are the built-in table (nsExtendOutLine).
SNMPD_CONF_EXTRA=$(for i in 1 2 3 4 5 6 7 8; do echo "extend herdbench$i /bin/cat @DIR@/extend$i.txt"; done)
export SNMPD_CONF_EXTRA
status=0
stamper= tailpid=
stop_stamper() { # the trap-log reader and its tail, both started here
	[ -z "$stamper" ] || { kill "$stamper" 2>/dev/null; wait "$stamper" 2>/dev/null; stamper=; }
	[ -z "$tailpid" ] || { kill "$tailpid" 2>/dev/null; tailpid=; }
}
export CLUSTER_ON_EXIT=stop_stamper
cluster_trap
mib_load

ms_of() { awk -v n="$1" 'BEGIN { printf "%.0f", n / 1000000 }'; }
cpu_ns() { local a; read -r a _ <"/proc/$1/schedstat" 2>/dev/null && echo "$a"; }
oks() { node_herdctl 0 -j status | jq '[.nodes[] | select(.state == "OK")] | length'; }

echo "snmp: $N-node cluster, HERD-MIB through herd-agentx on node 0"
t0=$(now_ns)
cluster_up "$N" >/dev/null 2>&1 || { echo "cluster_up $N failed"; exit 1; }
cluster_wait_until 90 eval '[ "$(oks)" = "$N" ]' || { echo "the cluster did not settle"; exit 1; }
echo "  (cluster up and settled in $(ms_since "$t0") ms)"

# Node 0's ring of recent events full: reloads, in one process in the namespace.
node_exec 0 sh -c 'i=0; while [ $i -lt 1100 ]; do "$1" -c "$2" reload >/dev/null || exit 1; i=$((i + 1)); done' \
	sh "$HERD_BUILD/herdctl" "$(node_etc 0)" || { echo "reloads failed"; exit 1; }
nev=$(node_herdctl 0 -j events --limit 100000 | jq '.events | length')
echo "  (node 0's herdd holds $nev events)"
snmp_up 0 >/dev/null || { echo "snmp_up failed"; exit 1; }
ax=$(agentx_pid 0)
axpid=$ax
D=$(snmp_dir 0)

walk() { # OID: one timed walk; prints "varbinds wall_ns agentx_cpu_ns"
	local a0 a1 t0 t1 n
	a0=$(cpu_ns "$ax")
	t0=$(now_ns)
	n=$(snmp_cmd 0 snmpbulkwalk -v2c -c "$SNMP_COMMUNITY" -m "" -On -Oq -Cr10 -t 10 -r 0 \
		"127.0.0.1:$SNMP_PORT" "$1" | wc -l)
	t1=$(now_ns)
	a1=$(cpu_ns "$ax")
	echo "$n $((t1 - t0)) $(( ${a1:-0} - ${a0:-0} ))"
}

read -r nv _ < <(walk "$HERD_OID")
rows=$(snmp_cmd 0 snmpbulkwalk -v2c -c "$SNMP_COMMUNITY" -m "" -On -Oq "127.0.0.1:$SNMP_PORT" \
	"${MIB_OID[herdEventType]}" | wc -l)
[ "$nv" -gt 1000 ] || { echo "the HERD-MIB walk gave only $nv varbinds"; exit 1; }
per=$(( (nv + 7) / 8 ))
for ((f = 1; f <= 8; f++)); do
	for ((i = (f - 1) * per + 1; i <= f * per && i <= nv; i++)); do printf 'r%06d\n' "$i"; done >"$D/extend$f.txt"
done
EXT=.1.3.6.1.4.1.8072.1.3.2.4.1.2 # nsExtendOutLine
read -r ne _ < <(walk "$EXT")
[ "$ne" = "$nv" ] || { echo "the extend table has $ne rows, not $nv"; exit 1; }

# The AgentX limit: the same rows through net-snmp's own subagent.
SUBROOT=.1.3.6.1.4.1.8072.9999.9999.7
SUB=$SUBROOT.4.1.2
{
	echo "# the AgentX baseline of tests/bench/snmp.sh: snmpd as a subagent"
	echo "agentXSocket $D/agentx.sock"
	for f in 1 2 3 4 5 6 7 8; do echo "extend $SUBROOT herdbench$f /bin/cat $D/extend$f.txt"; done
} >"$D/conf/subagent.conf"
# (it also offers the master its other modules, which the master already
# has: those registrations are refused, and logged)
# shellcheck disable=SC2046
node_bg 0 env $(_sn_env 0) "$(_sn_bin snmpd)" -f -X -C -c "$D/conf/subagent.conf" -I extend -m "" \
	-Lf "$D/subagent.log" -p "$D/subagent.pid" >>"$D/subagent.log" 2>&1 </dev/null
subpid=$CLUSTER_BG_PID
cluster_wait_until 10 eval '[ "$(walk "$SUB" | cut -d" " -f1)" = "$nv" ]' ||
	{ echo "the net-snmp subagent does not serve its $nv extend rows"; exit 1; }
handling_us() { # herdAgentHandlingTime.0
	snmp_cmd 0 snmpget -v2c -c "$SNMP_COMMUNITY" -m "" -Oqv "127.0.0.1:$SNMP_PORT" \
		"${MIB_OID[herdAgentHandlingTime]}.0"
}

hw=() ew=() sw=() hc=() hh=() sc=()
for ((r = 0; r < ROUNDS; r++)); do
	h0=$(handling_us)
	read -r n ns cpu < <(walk "$HERD_OID")
	h1=$(handling_us)
	hw+=("$ns") hc+=("$(( cpu * 10000 / ns ))") hh+=("$(( (h1 - h0) * 1000 * 10000 / ns ))")
	read -r n ns _ < <(walk "$EXT")
	ew+=("$ns")
	ax=$subpid
	read -r n ns cpu < <(walk "$SUB")
	ax=$axpid
	sw+=("$ns") sc+=("$(( cpu * 10000 / ns ))")
done
read -r hmed _ <<<"$(stats "${hw[@]}")"
read -r emed _ <<<"$(stats "${ew[@]}")"
read -r smed _ <<<"$(stats "${sw[@]}")"
read -r cmed cmax <<<"$(stats "${hc[@]}")"
read -r hhmed hhmax <<<"$(stats "${hh[@]}")"
read -r scmed _ <<<"$(stats "${sc[@]}")"
pct() { awk -v c="$1" 'BEGIN { printf "%.1f", c / 100 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
figure "snmpbulkwalk HERD-MIB ($N nodes, $rows events, $nv vbs)" "$(ms_of "$hmed")" ms
figure "snmpbulkwalk snmpd built-in extend table ($ne rows)" "$(ms_of "$emed")" ms
figure "snmpbulkwalk the same rows via net-snmp's subagent" "$(ms_of "$smed")" ms
# The issue's 2.5 assumes AgentX costs about 2x; the subagent walk says what
# it costs here. Where it is more than 2x, the 2.5 cannot be reached through
# AgentX at all and the figure that says what herd-agentx adds is the ratio
# to the subagent (target 2.5 / 2).
limit=$(ratio "$smed" "$emed")
if awk -v l="$limit" 'BEGIN { exit !(l <= 2.0) }'; then
	figure "HERD-MIB walk / built-in walk" "$(ratio "$hmed" "$emed")" x 2.5
else
	figure "HERD-MIB walk / built-in walk (2.5 assumes AgentX 2x)" "$(ratio "$hmed" "$emed")" x
fi
figure "  AgentX limit here: net-snmp subagent / built-in" "$limit" x
figure "  HERD-MIB walk / net-snmp subagent walk" "$(ratio "$hmed" "$smed")" x 1.25
figure "per varbind: HERD-MIB / subagent / built-in" "$(awk -v a="$hmed" -v s="$smed" -v b="$emed" -v n="$nv" 'BEGIN { printf "%.0f/%.0f/%.0f", a / n / 1000, s / n / 1000, b / n / 1000 }')" us
figure "herd-agentx request handling, share of the walk" "$(pct "$hhmed")" % 10
figure "  the same, max" "$(pct "$hhmax")" %
figure "  per varbind" "$(awk -v c="$hhmed" -v a="$hmed" -v n="$nv" 'BEGIN { printf "%.2f", c / 10000 * a / n / 1000 }')" us
figure "herd-agentx process CPU share of the walk (all)" "$(pct "$cmed")" %
figure "  net-snmp subagent process, of its walk" "$(pct "$scmed")" %

# ---- GETs over one session ----------------------------------------------------------
gets() { # OID: µs per GET over one snmptest session
	local t0 t1 n
	t0=$(now_ns)
	n=$(for ((i = 0; i < GETS; i++)); do printf '%s\n\n' "$1"; done |
		snmp_cmd 0 snmptest -v2c -c "$SNMP_COMMUNITY" -m "" -t 5 -r 0 "127.0.0.1:$SNMP_PORT" 2>&1 |
		grep -c 'errstat 0x0')
	t1=$(now_ns)
	[ "$n" = "$GETS" ] || { echo "snmptest: $n of $GETS answers" >&2; echo 0; return 1; }
	echo $(( (t1 - t0) / GETS / 1000 ))
}
g=$(gets "${MIB_OID[herdClusterName]}.0") || status=1
figure "GET herdClusterName.0, one session ($GETS)" "$g" us 200
[ "$g" -gt 0 ] && figure "  that is GETs per second (target >= 5000)" "$(( 1000000 / g ))" /s
g=$(gets .1.3.6.1.2.1.1.3.0) || status=1
figure "GET sysUpTime.0 (snmpd itself), one session" "$g" us
[ "$g" -gt 0 ] && figure "  that is GETs per second" "$(( 1000000 / g ))" /s
g=$(gets "$SUB.10.104.101.114.100.98.101.110.99.104.49.1") || status=1 # "herdbench1".1
figure "GET via net-snmp's subagent, one session" "$g" us
[ "$g" -gt 0 ] && figure "  that is GETs per second" "$(( 1000000 / g ))" /s

# ---- event to trap logged ---------------------------------------------------------------
stamped=$D/stamped.log
: >"$stamped"
(
	me=$BASHPID
	exec 3< <(exec tail -n 0 -F --pid="$me" "$D/traps.log" 2>/dev/null)
	echo "$!" >"$D/tail.pid"
	while IFS= read -r -u 3 l; do printf '%s\t%s\n' "${EPOCHREALTIME/./}" "$l"; done
) >>"$stamped" &
stamper=$!
sleep 0.5
tailpid=$(cat "$D/tail.pid" 2>/dev/null)
s0=$(node_herdctl 0 -j events --limit 1 | jq -r .next_seq)
for ((i = 0; i < LAT_EVENTS; i++)); do
	node_herdctl 0 reload >/dev/null || { echo "reload failed"; exit 1; }
	sleep 0.1
done
cls=$(printf '%s' "$HERD_NOTIF.31" | sed 's/\./\\./g')
cluster_wait_until 10 eval '[ "$(grep -cE "OID: $cls($|	)" "$stamped")" -ge $LAT_EVENTS ]' ||
	{ echo "only $(grep -cE "OID: $cls($|	)" "$stamped") of $LAT_EVENTS traps arrived"; status=1; }
stop_stamper
declare -A wall=()
while read -r sq w; do wall[$sq]=$w; done < <(node_herdctl 0 -j events --since $((s0 - 1)) --limit 1000 |
	jq -r '.events[] | select(.type == "config-reloaded") | "\(.seq) \(.wall_us)"')
lat=()
while IFS=$'\t' read -r t rest; do
	sq=$(trap_val "${rest}" "${MIB_OID[herdEventSeq]}")
	[ -n "${wall[$sq]:-}" ] || continue
	lat+=($(( t - wall[$sq] )))
done < <(grep -E "OID: $cls($|	)" "$stamped")
if [ ${#lat[@]} -gt 0 ]; then
	read -r lmed lmax <<<"$(stats "${lat[@]}")"
	figure "event to trap logged, median (${#lat[@]})" "$(awk -v u="$lmed" 'BEGIN { printf "%.1f", u / 1000 }')" ms 20
	figure "event to trap logged, max" "$(awk -v u="$lmax" 'BEGIN { printf "%.1f", u / 1000 }')" ms
else
	echo "no trap could be matched to its event"; status=1
fi

# ---- memory ----------------------------------------------------------------------------
figure "herd-agentx RSS ($rows events, $N nodes)" "$(awk '/^VmRSS/ {print $2}' "/proc/$ax/status")" KiB
figure "herd-agentx peak RSS (VmHWM)" "$(awk '/^VmHWM/ {print $2}' "/proc/$ax/status")" KiB
figure "herd-agentx open fds" "$(ls "/proc/$ax/fd" | wc -l)" fds

_sn_stop_pid "$subpid" 5 || true
snmp_down 0 >/dev/null 2>&1 || { echo "herd-agentx did not exit 0 on SIGTERM"; status=1; }
cluster_down >/dev/null 2>&1 || true
exit $status
