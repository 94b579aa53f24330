# herdd starts, answers every read verb in text and JSON, refuses a second
# instance, stops cleanly on SIGTERM; herdctl explains itself and fails
# clearly when herdd is not running.
. "$(dirname "$0")/lib.sh"
single_setup

expect_rc 1 "herdctl without herdd exits 1" -- hctl status
expect_match "$OUT" "cannot connect to herdd at $T/run/herdd.sock: No such file or directory \(is herdd running\?\)" \
	"and says herdd is not running"

single_start
# UNHEALTHY until the first monitor run (no scripts here) has finished.
wait_until 5 sh -c "'$HERDCTL' -s '$SOCK' status | grep -q 'pnn:0 .* OK (THIS NODE)'" ||
	fail "the node did not become OK"
expect_rc 0 "status" -- hctl status
expect_match "$OUT" "^Number of nodes:1" "status counts the nodes"
expect_match "$OUT" "pnn:0 +127.0.0.1 +OK \(THIS NODE\)" "status shows this node OK"
expect_match "$OUT" "Recovery lock:none \(WARNING" "status warns that no recovery lock is set"

expect_rc 0 "status -j (after the verb)" -- hctl status -j
expect_eq "$(printf '%s' "$OUT" | jq -r '.nodes[0].state')" OK "JSON: node 0 state"
expect_eq "$(printf '%s' "$OUT" | jq -r '.pnn')" 0 "JSON: this node's pnn"
expect_eq "$(printf '%s' "$OUT" | jq -r '.cluster')" cli "JSON: cluster name"
expect_eq "$(printf '%s' "$OUT" | jq -r '.nodes[0].capabilities_text')" "RECMASTER|LMASTER" "JSON: capabilities"

expect_rc 0 "uptime" -- hctl uptime
expect_match "$OUT" "herdd start time +: 20[0-9-]+T" "uptime shows the start time"
expect_rc 0 "uptime -j" -- hctl -j uptime
expect_match "$(printf '%s' "$OUT" | jq -r '.uptime_seconds')" '^[0-9.]+$' "JSON: uptime seconds"

expect_rc 0 "ping" -- hctl ping
expect_match "$OUT" "response from node 0 \(herdd pid $HERDD_PID\)" "ping names herdd's pid"
expect_rc 0 "-s SOCKET works too" -- "$HERDCTL" -s "$SOCK" version
expect_match "$OUT" "herdd 0\." "version"

# Help: global and per verb, never touching herdd.
expect_rc 0 "herdctl --help" -- "$HERDCTL" --help
for v in status uptime reload statistics events ping version; do
	expect_rc 0 "herdctl $v --help" -- "$HERDCTL" -s /nonexistent "$v" --help
	expect_match "$OUT" "^Usage: herdctl \[OPTIONS\] $v" "$v --help prints its usage"
	expect_rc 0 "herdctl help $v" -- "$HERDCTL" help "$v"
done
expect_rc 2 "unknown verb exits 2" -- hctl frobnicate
expect_match "$OUT" "unknown verb 'frobnicate'" "and names the verb"
expect_rc 2 "extra arguments exit 2" -- hctl status extra
expect_rc 0 "herdd --help" -- "$HERDD" --help
expect_match "$OUT" "Usage: herdd" "herdd --help prints usage"

# The pid file holds the pid and is locked: a second herdd refuses.
expect_eq "$(cat "$T/run/herdd.pid")" "$HERDD_PID" "pid file holds herdd's pid"
expect_rc 1 "a second herdd on the same run dir refuses" -- \
	unshare -n "$HERDD" -d -c "$T/etc"
expect_match "$OUT" "already running \(pid $HERDD_PID" "and names the running pid"
expect_rc 0 "the first herdd still answers" -- hctl ping

single_stop
expect_eq "$HERDD_RC" 0 "SIGTERM: herdd exits 0"
[ ! -e "$T/run/herdd.sock" ] || fail "socket left behind"
[ ! -e "$T/run/herdd.pid" ] || fail "pid file left behind"
ok "socket and pid file removed"
expect_match "$(cat "$T/herdd.log")" "received Terminated, shutting down" "shutdown is logged"

# SIGINT also stops it cleanly.
single_start
kill -INT "$HERDD_PID"; wait "$HERDD_PID"; rc=$?; HERDD_PID=
expect_eq "$rc" 0 "SIGINT: herdd exits 0"

# A host that is not in the nodes file cannot start.
echo 10.255.255.1 >"$T/etc/nodes"
expect_rc 1 "herdd refuses to start when no local address is in nodes" -- \
	unshare -n "$HERDD" -d -c "$T/etc"
expect_match "$OUT" "none of this host's addresses is in the nodes file" "and says why"
