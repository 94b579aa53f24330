# SET of herdNodeAdminState through herd-agentx against a 3-node cluster.
# With herd.conf [snmp] allow set = no (the default) a set answers
# notWritable and nothing changes, and members of the control group may not
# run enable or disable. With yes (herdd reloaded, herd-agentx restarted):
# control group members may run enable and disable (nothing else that
# changes anything); an SNMPv3 user with write access to the column (VACM in
# snmpd.conf) disables and enables node 2 (herdctl shows it, the value
# reads back); a wrong value, a wrong type, a node that does not exist and
# another column are refused with their SNMP errors; the v2c community,
# read-only in snmpd's VACM, cannot set at all. herd-agentx logs each set.
. "$(dirname "$0")/prelude.sh"
export CLUSTER_CLIENT=0 CLUSTER_LINKS=1 CLUSTER_QUIET=1
GID=47312
export CLUSTER_CONF_EXTRA="[control]\ngroup = $GID"
RW_USER=herdrw
ADMIN_OID=$HERD_OBJ.3.1.1.14    # herdNodeAdminState
FLAGS_OID=$HERD_OBJ.3.1.1.5     # herdNodeFlags
# snmpd runs without MIBs (-m ""): the view names the column by number. An
# installed HERD-MIB allows HERD-MIB::herdNodeAdminState (herd-agentx(8)).
export SNMPD_CONF_EXTRA="createUser $RW_USER SHA \"$SNMP_V3_AUTH\" AES \"$SNMP_V3_PRIV\"
group herdset usm $RW_USER
view herdall included .1
view herdset included $ADMIN_OID
access herdset \"\" usm priv exact herdall herdset none
createUser ${RW_USER}all SHA \"$SNMP_V3_AUTH\" AES \"$SNMP_V3_PRIV\"
rwuser ${RW_USER}all priv"

cluster_up 3 || fail "cluster_up"
wait_for 15 "every node is OK" all_ok 0 1 2
snmp_up 0 || fail "snmp_up 0"
ok "snmpd, snmptrapd and herd-agentx run on node 0"

# snmpset as the v3 user who may write herdNodeAdminState only (rw), the v3
# user who may write everything (rwall: what herd-agentx refuses is seen),
# or with the v2c community (v2c).
sset() { # rw|rwall|v2c OID TYPE VALUE [OID TYPE VALUE...]
	local auth
	if [ "$1" = rw ] || [ "$1" = rwall ]; then
		auth=(-v3 -l authPriv -u "$RW_USER${1#rw}" -a SHA -A "$SNMP_V3_AUTH" -x AES
		      -X "$SNMP_V3_PRIV")
	else
		auth=(-v2c -c "$SNMP_COMMUNITY")
	fi
	snmp_cmd 0 snmpset "${auth[@]}" -m "" -t "$SNMP_TIMEOUT" -r 0 "127.0.0.1:$SNMP_PORT" \
		"${@:2}"
}
admin_of() { SNMP_AUTH=v3 snmp_rawget "$ADMIN_OID.$1"; }

# A member of the control group, on node 0's socket (herdctl as nobody).
SOCK=$CLUSTER_DIR/n0/run/herdd.sock
chmod o+x "$CLUSTER_DIR" "$CLUSTER_DIR/n0" "$CLUSTER_DIR/n0/run"
member() { node_exec 0 setpriv --reuid=65534 --regid="$GID" --clear-groups \
	"$HERD_BUILD/herdctl" -s "$SOCK" "$@"; }
expect_rc 0 "a control group member reads status" -- member status

# ---- allow set = no ------------------------------------------------------------
expect_eq "$(admin_of 2)" 1 "herdNodeAdminState.2 reads enabled(1)"
expect_rc 2 "allow set = no: the read-write user's set fails" -- sset rw "$ADMIN_OID.2" i 2
expect_match "$OUT" "notWritable" "with notWritable"
expect_rc 2 "allow set = no: so does the write-all user's" -- sset rwall "$ADMIN_OID.2" i 2
expect_match "$OUT" "notWritable" "with notWritable"
sleep 0.5
expect_eq "$(state_of 0 2)" OK "node 2 is still OK"
expect_rc 1 "allow set = no: a control group member may not disable" -- member disable -n 2
expect_match "$OUT" "permission denied: 'disable' needs root" "and is told why"

# ---- allow set = yes -----------------------------------------------------------
cluster_conf_set snmp "allow set" yes
for k in 0 1 2; do node_herdctl "$k" reload >/dev/null || fail "reload on node $k"; done
ok "allow set = yes; herdd reloaded"
expect_rc 0 "a control group member may disable node 1" -- member disable -n 1
wait_for 5 "node 1 is DISABLED" eval '[ "$(state_of 0 1)" = DISABLED ]'
expect_rc 0 "and enable it again" -- member enable -n 1
wait_for 5 "node 1 is OK again" all_ok 0 1 2
expect_rc 1 "but still not stop a node" -- member stop -n 1
expect_match "$OUT" "permission denied: 'stop' needs root" "stop needs root"
expect_rc 1 "nor reload" -- member reload

# herd-agentx reads the key when it starts.
agentx_stop 0 || fail "herd-agentx did not exit 0 (status $AGENTX_RC)"
ok "herd-agentx stops"
agentx_start 0 || fail "herd-agentx restarts"
LOG=$(snmp_dir 0)/herd-agentx.log
expect_match "$(tail -n 20 "$LOG")" "herdNodeAdminState is writable" "herd-agentx says so"

expect_rc 0 "snmpset herdNodeAdminState.2 = disabled(2)" -- sset rw "$ADMIN_OID.2" i 2
wait_for 5 "herdctl shows node 2 DISABLED" eval '[ "$(state_of 0 2)" = DISABLED ]'
wait_for 5 "herdNodeAdminState.2 reads disabled(2)" eval '[ "$(admin_of 2)" = 2 ]'
expect_match "$(cat "$LOG")" "SNMP set herdNodeAdminState.2 = disabled\(2\): done" \
	"herd-agentx logged the set"
expect_rc 0 "snmpset herdNodeAdminState.2 = enabled(1)" -- sset rw "$ADMIN_OID.2" i 1
wait_for 5 "node 2 is OK again" all_ok 0 1 2
wait_for 5 "herdNodeAdminState.2 reads enabled(1)" eval '[ "$(admin_of 2)" = 1 ]'

expect_rc 2 "a value that is not enabled or disabled" -- sset rw "$ADMIN_OID.2" i 7
expect_match "$OUT" "wrongValue" "is wrongValue"
expect_rc 2 "a string" -- sset rw "$ADMIN_OID.2" s disabled
expect_match "$OUT" "wrongType" "is wrongType"
expect_rc 2 "node 9, which does not exist" -- sset rw "$ADMIN_OID.9" i 2
expect_match "$OUT" "noCreation|inconsistentName" "is noCreation"
expect_rc 2 "the v2c community (read-only in VACM)" -- sset v2c "$ADMIN_OID.2" i 2
expect_match "$OUT" "noAccess|notWritable|authorizationError" "is refused by snmpd"
expect_rc 2 "another column, outside the user's write view" -- sset rw "$FLAGS_OID.2" i 1
expect_match "$OUT" "noAccess|notWritable" "is refused by snmpd"
expect_rc 2 "another column, by the write-all user" -- sset rwall "$FLAGS_OID.2" i 1
expect_match "$OUT" "notWritable" "is notWritable (herd-agentx)"
expect_rc 2 "a scalar, by the write-all user" -- sset rwall "$HERD_OBJ.1.1.0" s x
expect_match "$OUT" "notWritable" "is notWritable"
sleep 0.5
expect_eq "$(state_of 0 2)" OK "node 2 stayed OK through the refused sets"

# herdd refuses (node 2 is gone): commitFailed, and the set of node 1 in the
# same request is undone.
node_kill 2 || fail "node_kill 2"
wait_for 10 "node 0 sees node 2 DISCONNECTED" eval '[ "$(state_of 0 2)" = DISCONNECTED ]'
expect_rc 2 "disable nodes 1 and 2 in one request" -- \
	sset rwall "$ADMIN_OID.1" i 2 "$ADMIN_OID.2" i 2
expect_match "$OUT" "commitFailed|undoFailed" "fails: herdd refused node 2"
expect_match "$(cat "$LOG")" "herdNodeAdminState.2 = disabled\(2\): herdd refused" \
	"herd-agentx logged the refusal"
expect_match "$(cat "$LOG")" "herdNodeAdminState.1 = enabled\(1\) \(undo" \
	"and the undo of node 1"
wait_for 5 "node 1 is OK (undone)" eval '[ "$(state_of 0 1)" = OK ]'

snmp_down 0 || fail "herd-agentx did not exit 0"
ok "herd-agentx exits 0 on SIGTERM"
cluster_down || fail "cluster_down"
ok "done"
