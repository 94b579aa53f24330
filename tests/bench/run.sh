#!/usr/bin/env bash
# tests/bench/run.sh — herd's speed and memory figures (make bench).
# Prints one line per figure: NAME VALUE UNIT, and the target where one is set.
# Targets are reported, never asserted by timed tests; a figure over its
# target makes `make bench` exit 1.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
export HERD_BUILD=$PWD/$BUILD
. tests/cli/lib.sh

status=0
figure() { # NAME VALUE UNIT [TARGET]
	local verdict=""
	if [ -n "${4:-}" ]; then
		if awk -v v="$2" -v t="$4" 'BEGIN{exit !(v<=t)}'; then verdict="(target <= $4: ok)"
		else verdict="(target <= $4: OVER)"; status=1; fi
	fi
	printf '%-40s %12s %-4s %s\n' "$1" "$2" "$3" "$verdict"
}

single_setup
t0=$(date +%s%N)
single_start
t1=$(date +%s%N)
figure "herdd start to first answer" "$(( (t1 - t0) / 1000000 ))" ms 500

n=300
t0=$(date +%s%N)
for ((i = 0; i < n; i++)); do "$HERDCTL" -s "$SOCK" status >/dev/null || fail "status failed"; done
t1=$(date +%s%N)
figure "herdctl status round trip (incl. exec)" "$(( (t1 - t0) / n / 1000 ))" us 20000

rss=$(awk '/^VmRSS/{print $2}' "/proc/$HERDD_PID/status")
hwm=$(awk '/^VmHWM/{print $2}' "/proc/$HERDD_PID/status")
figure "herdd RSS, idle single node" "$rss" KiB 16384
figure "herdd peak RSS (VmHWM) after $n requests" "$hwm" KiB 16384
fds=$(ls "/proc/$HERDD_PID/fd" | wc -l)
figure "herdd open fds after $n requests" "$fds" fds 32
single_stop
echo
"$(dirname "$0")/ipalloc.sh" || status=1
echo
"$(dirname "$0")/cluster.sh" || status=1
echo
"$(dirname "$0")/failover.sh" || status=1
echo
"$(dirname "$0")/notify.sh" || status=1
echo
"$(dirname "$0")/snmp.sh" || status=1
exit $status
