#!/usr/bin/env bash
# tests/bench/ipalloc.sh — the leader's takeover decision on big clusters:
# $BUILD/tests/bench_ipalloc (tests/bench/bench_ipalloc.c) times
# takeover_plan() — every node's list gathered, then ipalloc_run() — for
# lcp2, deterministic and nondeterministic, on a fresh cluster, after a
# node failed and after it came back, and reports the peak RSS.
#
#   BENCH_IPALLOC_REPS   repetitions at 64 x 1,024 (default 20)
#   BENCH_IPALLOC_BIG=1  also 256 nodes x 8,192 addresses, 3 repetitions
#                        (off by default: there one plan takes 4 to 45 s
#                        and the whole run about 8 minutes)
set -u
cd "$(dirname "$0")/../.."
. tests/bench/lib.sh
BUILD=${BUILD:-build}
prog=$BUILD/tests/bench_ipalloc
status=0

run() { # NODES ADDRS REPS
	local name value unit
	"$prog" "$@" | while IFS=$'\t' read -r name value unit; do
		figure "$name" "$value" "$unit"
	done
	return "${PIPESTATUS[0]}"
}

if [ ! -x "$prog" ]; then
	echo "bench_ipalloc: $prog is missing (make BUILD=$BUILD tests)"
	exit 1
fi
echo "== ipalloc: takeover_plan() on NODESxADDRS, every node may host every address"
run 64 1024 "${BENCH_IPALLOC_REPS:-20}" || status=1
if [ -n "${BENCH_IPALLOC_BIG:-}" ]; then
	run 256 8192 3 || status=1
else
	echo "(256x8192 skipped: a plan takes 4-45 s there, the run ~8 min; BENCH_IPALLOC_BIG=1 runs it)"
fi
exit $status
