# tests/cluster/checks.sh — what cluster tests ask of herd, on top of the
# harness (lib.sh) and tests/lib/common.sh. Source after both.
#
#   leader_of K             the leader node K follows ("none" when none)
#   state_of K P            node P's one-word state as node K sees it
#   flags_of K P            node P's flags (CTDB's number) as K sees it
#   gen_of K                node K's generation
#   active_of K             "true" when K is part of a running cluster
#   agree_leader NODES...   every node listed follows the same, real leader;
#                           prints it
#   all_ok NODES...         every listed node sees every listed node OK
#   wait_for SECS DESC CMD...   wait until CMD succeeds, fail with DESC if not
#   ms_since T0             milliseconds since T0 (from now_ns)

now_ns() { date +%s%N; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

leader_of() { node_herdctl "$1" leader 2>/dev/null; }
state_of() { node_herdctl "$1" -j status | jq -r ".nodes[$2].state"; }
flags_of() { node_herdctl "$1" -j status | jq -r ".nodes[$2].flags"; }
gen_of() { node_herdctl "$1" -j status | jq -r ".generation"; }
active_of() { node_herdctl "$1" -j status | jq -r ".active"; }

agree_leader() {
	local k l first=""
	for k in "$@"; do
		l=$(leader_of "$k") || return 1
		[ -n "$l" ] && [ "$l" != none ] || return 1
		[ -z "$first" ] && first=$l
		[ "$l" = "$first" ] || return 1
	done
	echo "$first"
}

all_ok() {
	local k p
	for k in "$@"; do
		for p in "$@"; do
			[ "$(state_of "$k" "$p")" = OK ] || return 1
		done
	done
}

wait_for() {
	local secs=$1 desc=$2
	shift 2
	cluster_wait_until "$secs" "$@" >/dev/null || fail "$desc (not within ${secs}s)"
	ok "$desc"
}
