# tests/lib/common.sh — helpers for herd's shell tests. Source it.
#
#   fail MSG             print "FAIL: MSG" and exit 1
#   skip MSG             print the reason and exit 77 (counted as skipped)
#   ok MSG               print "ok - MSG"
#   expect_eq A B MSG    fail unless A = B
#   expect_match TEXT REGEX MSG
#   expect_rc RC MSG -- CMD...   run CMD, fail unless it exits RC; output in $OUT
#   wait_until SECS CMD...       retry CMD every 0.1 s until it succeeds
#   cleanup_add CMD      run CMD (eval'd) at exit, last added first
set -u
HERD_TOP=${HERD_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
HERD_BUILD=${HERD_BUILD:-$HERD_TOP/build}
HERDD=$HERD_BUILD/herdd
HERDCTL=$HERD_BUILD/herdctl

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
ok() { echo "ok - $*"; }

expect_eq() {
	[ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"
	ok "$3"
}

expect_match() {
	printf '%s' "$1" | grep -qE -- "$2" || fail "$3: '$1' does not match /$2/"
	ok "$3"
}

OUT=
expect_rc() {
	local want=$1 msg=$2 rc
	shift 3
	OUT=$("$@" 2>&1)
	rc=$?
	[ "$rc" -eq "$want" ] || fail "$msg: '$*' exited $rc, expected $want; output:
$OUT"
	ok "$msg"
}

wait_until() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

_cleanups=()
cleanup_add() { _cleanups=("$1" "${_cleanups[@]}"); }
_run_cleanups() {
	local c
	for c in "${_cleanups[@]}"; do eval "$c" || true; done
	_cleanups=()
}
trap _run_cleanups EXIT
trap 'exit 130' INT TERM
