#!/usr/bin/env bash
# tests/cli/t-ipalloc.sh — `herdctl ipalloc`, offline (no herdd): each
# tests/ipalloc/NAME.in (first line "# args: ARGS") piped through
# `herdctl ipalloc ARGS` must print NAME.out; bad input gives the exact
# message on stderr, exit 2 and nothing on stdout.
set -u
. "$(dirname "$0")/../lib/common.sh"
[ -x "$HERDCTL" ] || skip "no $HERDCTL"

for f in "$HERD_TOP"/tests/ipalloc/*.in; do
	name=$(basename "$f" .in)
	read -r -a args < <(sed -n '1s/^# args: //p' "$f")
	out=$("$HERDCTL" ipalloc "${args[@]}" <"$f") || fail "$name: exit $?"
	expect_eq "$out" "$(cat "${f%.in}.out")" "ipalloc $name"
done

bad() { # INPUT EXPECTED_STDERR ARGS...
	local in=$1 want=$2 err rc stdout
	shift 2
	stdout=$(printf '%b' "$in" | "$HERDCTL" ipalloc "$@" 2>/tmp/ipalloc-err.$$)
	rc=$?
	err=$(cat /tmp/ipalloc-err.$$); rm -f /tmp/ipalloc-err.$$
	expect_eq "$rc:$stdout" "2:" "exit 2, no stdout: $want"
	expect_eq "$err" "$want" "stderr: $want"
}
usage='Usage: herdctl ipalloc [--algorithm lcp2|deterministic|nondeterministic] [--no-ip-failback] [--no-ip-takeover] FLAGS'
bad '10.0.0.1 0\nbogus 1\n' "herdctl: ipalloc: line 2: bad address 'bogus': expected an IPv4 or IPv6 address" 0,0
bad '10.0.0.1 5\n' "herdctl: ipalloc: line 1: bad current node '5': expected -1 or a node number from 0 to 1" 0,0
bad '10.0.0.1 0 0,7\n' "herdctl: ipalloc: line 1: bad node '7' in '0,7': expected node numbers from 0 to 1, comma-separated" 0,0
bad '10.0.0.1\n\n10.0.0.1\n' "herdctl: ipalloc: line 3: address 10.0.0.1 is already on line 1: expected each address once" 0,0
bad '' "herdctl: ipalloc: bad flags 'z' for node 1: expected one number per node (decimal or 0x hex), comma-separated
$usage" 0,z
bad '' "herdctl: ipalloc: unknown algorithm 'foo': expected lcp2, deterministic or nondeterministic
$usage" --algorithm foo 0
bad '' "herdctl: ipalloc: expected one FLAGS argument, the node flags (e.g. 0,0x20,0)
$usage"

expect_rc 0 "ipalloc --help" -- "$HERDCTL" ipalloc --help
expect_match "$OUT" '^Usage: herdctl \[OPTIONS\] ipalloc ' "ipalloc --help shows the usage"
# No herdd is needed: a socket that does not exist changes nothing.
out=$(echo "10.0.0.1 -1" | "$HERDCTL" -s /nonexistent/sock ipalloc 0) || fail "ipalloc contacted herdd"
expect_eq "$out" "10.0.0.1 0" "ipalloc runs without herdd"
