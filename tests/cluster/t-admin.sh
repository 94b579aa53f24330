# Admin verbs on a 3-node cluster: disable/enable, stop/continue, ban/unban,
# recover, getcapabilities, listnodes, pnn, leader; bad arguments and
# non-root callers refused. Each change shows cluster-wide.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
cluster_check || exit $?
cluster_trap
export CLUSTER_CLIENT=0
export CLUSTER_CONF_EXTRA="[cluster]\nrecovery lock = @SHARED@/reclock\n[control]\ngroup = 47312"
export CLUSTER_CONF_EXTRA_2="[cluster]\nrecmaster capability = no"
cluster_up 3 || fail "cluster_up"
wait_for 5 "all OK" all_ok 0 1 2
wait_for 5 "one leader" agree_leader 0 1 2

expect_eq "$(node_herdctl 1 pnn)" 1 "pnn"
expect_rc 0 "listnodes" -- node_herdctl 0 listnodes
expect_eq "$OUT" "10.91.0.10
10.91.0.11
10.91.0.12" "listnodes prints the nodes file"
expect_rc 0 "getcapabilities" -- node_herdctl 0 getcapabilities
expect_match "$OUT" "RECMASTER: YES" "this node may lead"
expect_rc 0 "getcapabilities -n 2" -- node_herdctl 0 getcapabilities -n 2
expect_match "$OUT" "RECMASTER: NO" "node 2 has RECMASTER off, as its config says"
expect_eq "$(node_herdctl 0 recmaster)" "$(node_herdctl 0 leader)" "recmaster is an alias of leader"

seen_everywhere() { # PNN STATE
	local k
	for k in 0 1 2; do [ "$(state_of "$k" "$1")" = "$2" ] || return 1; done
}
flag_cycle() { # VERB UNVERB STATE
	expect_rc 0 "$1 -n 1 (from node 0)" -- node_herdctl 0 "$1" -n 1
	wait_for 2 "node 1 is $3 on every node" seen_everywhere 1 "$3"
	expect_match "$(node_herdctl 2 events --node 1 --limit 5)" "node 1 is " "an event on node 2 records it"
	expect_rc 0 "$2 -n 1" -- node_herdctl 0 "$2" -n 1
	wait_for 2 "node 1 is OK again everywhere" seen_everywhere 1 OK
}
flag_cycle disable enable DISABLED
flag_cycle stop continue STOPPED

expect_rc 0 "ban 60 -n 2" -- node_herdctl 0 ban 60 -n 2
wait_for 2 "node 2 is BANNED everywhere" seen_everywhere 2 BANNED
expect_match "$(node_herdctl 2 -j status | jq -r '.nodes[2].ban_seconds_left')" '^[0-9]+$' \
	"the banned node shows the time left"
expect_rc 0 "unban -n 2" -- node_herdctl 1 unban -n 2
wait_for 2 "node 2 is OK again" seen_everywhere 2 OK

# Banning the leader moves leadership; unbanning does not move it back.
L=$(agree_leader 0 1 2)
expect_rc 0 "ban the leader ($L)" -- node_herdctl 2 ban 60 -n "$L"
newl() { local l; l=$(agree_leader 0 1 2) && [ "$l" != "$L" ]; }
wait_for 5 "a banned leader hands over" newl
expect_rc 0 "unban it" -- node_herdctl 2 unban -n "$L"
wait_for 3 "all OK after unban" all_ok 0 1 2

# disable -n all, enable -n all
expect_rc 0 "disable -n all" -- node_herdctl 1 disable -n all
alldis() { local p; for p in 0 1 2; do seen_everywhere "$p" DISABLED || return 1; done; }
wait_for 3 "every node DISABLED everywhere" alldis
expect_rc 0 "enable -n all" -- node_herdctl 1 enable -n all
wait_for 3 "all OK" all_ok 0 1 2

# recover: the generation goes up everywhere.
g=$(gen_of 0)
expect_rc 0 "recover" -- node_herdctl 1 recover
genup() { local k; for k in 0 1 2; do [ "$(gen_of "$k")" -gt "$g" ] || return 1; done; }
wait_for 3 "recover bumps the generation on every node" genup
expect_match "$(node_herdctl "$(agree_leader 0 1 2)" events --type recovery-finished --limit 1)" \
	"recovery finished" "the leader records the recovery"

# Bad arguments.
expect_rc 2 "ban without a time" -- node_herdctl 0 ban
expect_rc 2 "ban with a bad time" -- node_herdctl 0 ban soon
expect_match "$OUT" "bad time 'soon'" "says what is wrong"
expect_rc 2 "disable -n with a bad node" -- node_herdctl 0 disable -n x
expect_rc 1 "disable a node that does not exist" -- node_herdctl 0 disable -n 7
expect_match "$OUT" "node" "and says so"
expect_rc 2 "maintenance on without --for" -- node_herdctl 0 maintenance on
expect_match "$OUT" "--for DURATION is required" "maintenance needs a duration"
expect_rc 2 "maintenance with a bad word" -- node_herdctl 0 maintenance maybe

# Non-root: a control-group member may read, not act; others are refused.
as() { local gid=$1; shift; node_exec 0 setpriv --reuid=65534 --regid="$gid" --clear-groups "$@"; }
sock=$(node_dir 0)/run/herdd.sock
chmod 755 "$CLUSTER_DIR" "$(node_dir 0)" "$(node_dir 0)/run"
expect_rc 0 "a control-group member reads status" -- as 47312 "$HERD_BUILD/herdctl" -s "$sock" status
for verb in "disable" "enable" "stop" "continue" "ban 10" "unban" "recover" "maintenance off"; do
	expect_rc 1 "a member may not '$verb'" -- as 47312 "$HERD_BUILD/herdctl" -s "$sock" $verb
	expect_match "$OUT" "needs root" "and is told it needs root"
done
expect_rc 1 "a non-member is refused" -- as 65534 "$HERD_BUILD/herdctl" -s "$sock" status
