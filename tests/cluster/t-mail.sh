# Notification mail from a cluster: a real SMTP server (aiosmtpd,
# tests/notify/smtpd.py) on 127.0.0.1 inside node 0's namespace; node 1 is
# killed → node 0's mail arrives, its subject names the cluster, the node,
# the severity and the count, its body lists the node-disconnected event
# and ends with the cluster status. With the server down, mails are
# spooled and delivered, each once, when it is back; a restarted herdd
# delivers what its spool holds. `herdctl notify test` reports the mail.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
cluster_check || exit $?
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || { echo "# SKIP: python3-aiosmtpd missing"; exit 77; }
cluster_trap
top=$(cd "$(dirname "$0")/../.." && pwd)
export CLUSTER_CLIENT=0
export CLUSTER_CONF_EXTRA_0="[mail]\nenabled = yes\nsmtp server = 127.0.0.1:2525\nto = root@localhost, ops@example.org
severity = error\ncoalesce = 500ms\nretry = 1s\nretry max = 2s\ntimeout = 5s"
cluster_up 3 || fail "cluster_up"
box=$CLUSTER_DIR/mailbox
mkdir -p "$box"
smtpd_up() {
	rm -f "$box/port"
	node_bg 0 /usr/bin/python3 "$top/tests/notify/smtpd.py" --dir "$box" --port 2525 \
		>>"$CLUSTER_DIR/smtpd.log" 2>&1
	SMTPD_PID=$CLUSTER_BG_PID
	wait_for 10 "the SMTP server listens" test -s "$box/port"
}
smtpd_up
wait_for 10 "every node is OK" all_ok 0 1 2
mails() { find "$box" -maxdepth 1 -name '*.eml' | wc -l; }

# ---- a node dies: the mail arrives --------------------------------------------
before=$(mails)
node_kill 1
wait_for 10 "node 0 mails the disconnection" eval '[ "$(mails)" -gt '"$before"' ]'
m=$(ls -t "$box"/*.eml | head -1)
subject=$(grep -m1 '^Subject:' "$m")
expect_match "$subject" "^Subject: \[herd\] test: node 1: error: [0-9]+ events?" \
	"the subject names cluster, node, severity and count"
expect_match "$(cat "$m")" "node-disconnected" "the body lists the event"
expect_match "$(cat "$m")" "node 1 disconnected" "with its subject"
expect_match "$(cat "$m")" "Number of nodes:3" "and the cluster status at send time"
expect_match "$(cat "$m")" "pnn:1 .*DISCONNECTED" "which shows node 1 disconnected"
expect_match "$(jq -r '.rcpt_tos | join(",")' "${m%.eml}.json" 2>/dev/null || cat "${m%.eml}.json")" \
	"root@localhost" "sent to root@localhost"
expect_match "$(cat "${m%.eml}.json")" "ops@example.org" "and the second recipient"
expect_rc 0 "mail headers and table" -- /usr/bin/python3 "$top/tests/notify/mailcheck.py" "$box" \
	--min 1 --max 50 --status-marker "Number of nodes:"
node_start 1
wait_for 10 "node 1 is back" all_ok 0 1 2

# ---- the server is down: spooled, then delivered once --------------------------
bg_stop "$SMTPD_PID"
before=$(mails)
node_kill 2
wait_for 10 "the mail waits in node 0's spool" \
	eval '[ "$(node_herdctl 0 -j notify | jq -r .mail.queued)" -ge 1 ]'
expect_match "$(node_herdctl 0 notify)" "[1-9][0-9]* queued" "notify status shows the spool"
smtpd_up
wait_for 15 "the spooled mail is delivered when the server is back" \
	eval '[ "$(node_herdctl 0 -j notify | jq -r .mail.queued)" = 0 ] && [ "$(mails)" -gt '"$before"' ]'
expect_match "$(cat $(ls -t "$box"/*.eml | head -1))" "node 2 disconnected" "it is the right mail"
node_start 2
wait_for 10 "node 2 is back" all_ok 0 1 2

# ---- a restarted herdd delivers its spool ---------------------------------------
bg_stop "$SMTPD_PID"
before=$(mails)
node_kill 1
wait_for 10 "a mail is spooled" eval '[ "$(node_herdctl 0 -j notify | jq -r .mail.queued)" -ge 1 ]'
node_stop 0 || true
[ -n "$(ls "$(node_dir 0)"/state/mail/*.msg 2>/dev/null)" ] || fail "no mail in the spool after the stop"
ok "the spool keeps the mail over a restart"
smtpd_up
node_start 0
wait_for 15 "the restarted herdd delivers the spool" eval '[ "$(mails)" -gt '"$before"' ]'
expect_rc 0 "no mail was delivered twice, none lost" -- /usr/bin/python3 "$top/tests/notify/mailcheck.py" \
	"$box" --min 3 --max 100 --status-marker "Number of nodes:" --status-marker "Number of nodes:"

# ---- notify test -------------------------------------------------------------------
expect_rc 0 "notify test" -- node_herdctl 0 notify test unhealthy
expect_match "$OUT" "mail ok" "notify test reports the mail delivered"
# ---- the digest mail (what the daily timer sends) ----------------------------------
before=$(mails)
expect_rc 0 "digest --mail" -- node_herdctl 0 digest --mail
wait_for 10 "the digest mail arrives" eval '[ "$(mails)" -gt '"$before"' ]'
d=$(ls -t "$box"/*.eml | head -1)
expect_match "$(grep -m1 '^Subject:' "$d")" "^Subject: \[herd\] test: node 0: digest \(yesterday\)" \
	"the digest mail's subject"
expect_match "$(cat "$d")" "Processing Initiated" "its body is the digest"
cluster_down || fail "cluster_down"
ok "done"
