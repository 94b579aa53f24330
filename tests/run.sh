#!/usr/bin/env bash
# tests/run.sh — run herd's test suites (make check). Usage: tests/run.sh [SUITE...]
#
# Suites, in order:
#   unit     cmocka programs build/tests/test_*
#   conf     configuration golden files (tests/conf/run.sh)
#   docs     man pages render without warnings, HERD-MIB lints clean, check-deps
#   cli      herdd/herdctl against one local daemon (tests/cli/t-*.sh)
#   notify   mail through a real SMTP server, logwatch (tests/notify/t-*.sh)
#   cluster  network-namespace clusters (tests/cluster/t-*.sh)
#   snmp     HERD-MIB through herd-agentx, snmpd and snmptrapd on a cluster
#            (tests/snmp/t-*.sh)
#
# A test script passes with exit 0, is skipped with exit 77, fails otherwise.
# Its output goes to build/test-logs/ and is printed when it fails.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-build}
export HERD_TOP=$top HERD_BUILD=$top/$BUILD
logs=$top/$BUILD/test-logs
mkdir -p "$logs"

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(unit conf docs cli notify cluster snmp)

pass=0 fail=0 skip=0 failed=()

run_one() { # NAME CMD...
	local name=$1; shift
	local log=$logs/${name//\//_}.log start end rc
	start=$(date +%s.%N)
	"$@" >"$log" 2>&1 </dev/null
	rc=$?
	end=$(date +%s.%N)
	local secs; secs=$(printf '%.1f' "$(echo "$end - $start" | bc 2>/dev/null || echo 0)")
	case $rc in
	0) pass=$((pass + 1)); printf '  PASS  %-40s %6ss\n' "$name" "$secs" ;;
	77) skip=$((skip + 1)); printf '  SKIP  %-40s %s\n' "$name" "$(tail -n 1 "$log")" ;;
	*) fail=$((fail + 1)); failed+=("$name")
	   printf '  FAIL  %-40s (exit %d), log %s:\n' "$name" "$rc" "$log"
	   sed 's/^/        | /' "$log" | tail -n 60 ;;
	esac
	# cmocka prints its summary; show it so CI output carries it.
	if [ "${name%%/*}" = unit ]; then grep -E '^\[  (PASSED|FAILED)  \]|^\[==========\]' "$log" | sed 's/^/        /'; fi
}

for s in "${suites[@]}"; do
	echo "== suite $s"
	case $s in
	unit)
		for t in "$BUILD"/tests/test_*; do
			[ -x "$t" ] || continue
			run_one "unit/$(basename "$t")" "$t"
		done ;;
	conf) run_one conf/golden tests/conf/run.sh ;;
	docs)
		run_one docs/man tests/docs/man.sh
		run_one docs/mib tests/docs/mib.sh
		run_one docs/check-deps tests/check-deps.sh ;;
	cli|cluster|snmp|notify)
		for t in tests/$s/t-*.sh; do
			[ -e "$t" ] || continue
			run_one "$s/$(basename "$t" .sh)" bash "$t"
		done ;;
	*) echo "unknown suite $s" >&2; exit 2 ;;
	esac
done

echo "== $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ] || { printf '   failed: %s\n' "${failed[@]}"; exit 1; }
