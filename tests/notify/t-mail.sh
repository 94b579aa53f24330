#!/usr/bin/env bash
# tests/notify/t-mail.sh — the email sink delivers to a real SMTP server
# (python3-aiosmtpd on 127.0.0.1): one mail for a handful of events within
# the coalescing window, with RFC 5322 headers, the events table and the
# cluster status; two recipients; events below the severity threshold or
# outside the type list are not mailed; `notify test` reports delivery.
. "$(dirname "$0")/mail-lib.sh"

smtpd_start box 0
port=$(smtpd_port box)

# Five events, one window: one mail to both recipients.
driver out --spool "$T/spool" --server "127.0.0.1:$port" --to root@localhost \
	--to ops@localhost --emit 5 --coalesce 300 --wait-idle 20 ||
	fail "not delivered: $(cat "$T/out.err")"
expect_eq "$(jget out delivered)" 1 "one mail delivered"
expect_eq "$(jget out queued)" 0 "nothing left in the spool"
expect_eq "$(jget out events_mailed)" 5 "five events mailed"
expect_rc 0 "mail well formed, events 1-5 listed once" -- \
	mailcheck box --count 1 --seqs 1-5 --rcpt root@localhost --rcpt ops@localhost \
	--subject '^\[herd\] testcluster: nodes 0, 1, 2: error: 5 events: node-disconnected$'

# The message as a mail client sees it.
$PY - "$T/box/1.eml" <<'PY' || fail "message contents"
import email, email.policy, re, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
assert m["From"] == "herd@localhost", m["From"]
assert m["To"] == "root@localhost, ops@localhost", m["To"]
assert re.fullmatch(r"<herd\.\d{8}T\d{6}Z\.n0\.s1-5\.[0-9a-f]{16}@node0\.test>", m["Message-ID"]), m["Message-ID"]
assert re.fullmatch(r"\w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d \+0000", m["Date"]), m["Date"]
assert m["X-Herd-Cluster"] == "testcluster" and m["X-Herd-Severity"] == "error"
body = m.get_content()
assert "5 events in cluster testcluster" in body, body
assert "Sent by node 0 (node0.test)" in body, body
rows = [l for l in body.splitlines() if re.match(r"^\d+\s+\d{4}-", l)]
assert len(rows) == 5, rows
assert re.match(r"^3\s+\S+Z\s+0\s+error\s+node-disconnected\s+event 3\s+detail of event 3$", rows[2]), rows[2]
assert "Cluster status at" in body and "pnn:1   127.0.0.2        DISCONNECTED|UNHEALTHY" in body
PY
ok "headers, table row and status as expected"

# Below the threshold (node-connected is a notice), then outside the type list.
driver out2 --spool "$T/spool" --server "127.0.0.1:$port" --emit 3 --emit-type node-connected \
	--severity error --wait-idle 5 || fail "driver: $(cat "$T/out2.err")"
expect_eq "$(jget out2 events_ignored)" 3 "notices ignored at severity error"
driver out3 --spool "$T/spool" --server "127.0.0.1:$port" --emit 3 \
	--events "all -node-disconnected" --wait-idle 5 || fail "driver: $(cat "$T/out3.err")"
expect_eq "$(jget out3 events_ignored)" 3 "a type left out of the list is ignored"
expect_eq "$(ls "$T/box" | grep -c '\.eml$')" 1 "no further mail"

# herdctl notify test: one mail now, its outcome reported.
driver out4 --spool "$T/spool" --server "127.0.0.1:$port" --test --wait-idle 10 ||
	fail "test mail: $(cat "$T/out4.err")"
expect_match "$(head -n 1 "$T/out4")" "^test: 0 delivered to 1 recipient via 127\.0\.0\.1:$port$" \
	"test mail delivered"
expect_rc 0 "test mail well formed" -- mailcheck box --count 2 --seqs 0-5
