# Recovery: every membership change bumps the generation and runs a
# recovery step that is timed and counted; a node that fails recoveries
# repeatedly is banned by the leader. Frames are authenticated with a
# cluster key (HMAC-SHA256); a node with the wrong key never joins.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
cluster_check || exit $?
cluster_trap
export CLUSTER_CLIENT=0
export CLUSTER_CONF_EXTRA="[cluster]\nrecovery lock = @SHARED@/reclock\nkey file = @SHARED@/cluster.key\nrecovery ban period = 60s\n[membership]\nkeepalive interval = 100ms\nkeepalive limit = 3"
write_key() { [ -e "$CLUSTER_DIR/shared/cluster.key" ] || head -c 32 /dev/urandom >"$CLUSTER_DIR/shared/cluster.key"; }
export CLUSTER_SETUP_HOOK=write_key
cluster_up 3 || fail "cluster_up"
wait_for 5 "all OK, with authenticated frames" all_ok 0 1 2
L=$(agree_leader 0 1 2)
expect_eq "$(grep -c 'no cluster key file' "$(node_log 0)")" 0 "no warning about a missing key"

st=$(node_herdctl "$L" -j statistics)
expect_match "$(printf '%s' "$st" | jq -r .cluster.recoveries)" '^[1-9]' "the leader counts its recoveries"
expect_match "$(printf '%s' "$st" | jq -r '.peers | to_entries[0].value.links[0].frames_in')" '^[1-9]' \
	"statistics count frames per peer and link"
expect_match "$(node_herdctl "$L" -j uptime | jq -r .last_recovery_finish)" '^20' "uptime shows the last recovery"

# recover: a new generation everywhere, a recovery-finished event with its duration.
g=$(gen_of 0)
expect_rc 0 "recover" -- node_herdctl 0 recover
genup() { local k; for k in 0 1 2; do [ "$(gen_of "$k")" -gt "$g" ] || return 1; done; }
wait_for 3 "a forced recovery bumps the generation everywhere" genup
expect_match "$(node_herdctl "$L" events --type recovery-finished --limit 1)" "generation [0-9]+ in [0-9.]+s" \
	"the recovery's duration is recorded"

# A node that never answers recoveries is banned after three failures.
V=$(( (L + 1) % 3 ))
node_stop "$V" || fail "stop node $V"
CLUSTER_HERDD_PREFIX="env HERD_TEST_DROP_RECOVERY=1" node_start "$V" || fail "start node $V with the fault"
for i in 1 2 3; do node_herdctl "$L" recover >/dev/null 2>&1; sleep 2.3; done
banned() { [ "$(state_of "$L" "$V")" = BANNED ]; }
wait_for 6 "the leader bans node $V for failing recoveries" banned
expect_match "$(node_herdctl "$L" events --type recovery-finished)" "no answer from node $V" \
	"the recovery events name the node that did not answer"
expect_match "$(grep 'failed 3 recoveries' "$(node_log "$L")")" "banning it" "the leader logged why"

# The wrong key: a node whose key differs never joins, and its frames are dropped and counted.
node_stop "$V" || fail "stop node $V"
head -c 32 /dev/urandom >"$CLUSTER_DIR/wrong.key"
node_conf_set "$V" cluster "key file" "$CLUSTER_DIR/wrong.key"
node_start "$V" || fail "start node $V with the wrong key"
sleep 1.5
expect_eq "$(state_of "$L" "$V")" DISCONNECTED "a node with the wrong key stays DISCONNECTED"
expect_match "$(node_herdctl "$L" -j statistics | jq -r '.transport.drops["bad-mac"]')" '^[1-9]' \
	"its frames are dropped and counted as bad-mac"
