#!/usr/bin/env bash
# tests/notify/t-mail-refuse.sh — a server that refuses: success only when
# every recipient got a 2xx. A refused recipient is retried with backoff,
# alone (the one that accepted does not get the mail twice), until the
# expiry moves the mail to the spool's failed/, counted in the status. A
# message refused at the end of DATA is retried and delivered once the
# server takes it.
. "$(dirname "$0")/mail-lib.sh"

smtpd_start box 0 --refuse-rcpt bad@localhost=550
port=$(smtpd_port box)
spool=$T/spool

driver out --spool "$spool" --server "127.0.0.1:$port" --to root@localhost \
	--to bad@localhost --emit 2 --coalesce 100 --retry-min 200 --retry-max 400 \
	--expiry 2500 --wait-idle 15 || fail "not settled: $(tail -n 5 "$T/out.err")"
expect_eq "$(jget out queued)" 0 "nothing left queued"
expect_eq "$(jget out failed)" 1 "one mail failed"
expect_eq "$(jget out delivered)" 0 "none counted as delivered"
expect_match "$(jget out last_error)" '^RCPT TO:<bad@localhost> refused: 550 5\.1\.1 no such user$' \
	"status: the refusal"
expect_eq "$(find "$spool/failed" -name '*.msg' | wc -l)" 1 "the mail is in failed/"
expect_match "$(cat "$spool"/failed/*.state)" "rcpt-done root@localhost" \
	"its state says who has it"
expect_match "$(cat "$spool"/failed/*.state)" "rcpt bad@localhost" "... and who has not"
tries=$(grep -c bad@localhost "$T/box/refused.log")
[ "$tries" -ge 3 ] || fail "bad@localhost tried $tries times, expected retries"
ok "the refused recipient was retried ($tries attempts)"
expect_rc 0 "root@localhost got it once" -- mailcheck box --count 1 --seqs 1-2 --rcpt root@localhost
grep -q 'expired after' "$T/out.err" || fail "no log line for the expiry"
ok "the expiry is logged"

# failed/ is still counted by the next sink, and never retried.
driver out2 --spool "$spool" --server "127.0.0.1:$port" --wait-idle 3 ||
	fail "driver: $(cat "$T/out2.err")"
expect_eq "$(jget out2 failed)" 1 "failed/ counted after a restart"
expect_eq "$(mailcheck box --count 1 >/dev/null 2>&1 && echo same)" same "failed mails are not resent"

# DATA refused (451, try later), then accepted: delivered exactly once.
smtpd_stop box
smtpd_start box "$port" --refuse-data 451
driver_bg out3 --spool "$spool" --server "127.0.0.1:$port" --emit 3 --emit-start 11 \
	--coalesce 100 --retry-min 300 --retry-max 300 --wait-idle 20
sleep 1.2
kill -0 "$DRIVER_PID" 2>/dev/null || fail "gave up: $(cat "$T/out3.err")"
smtpd_stop box
smtpd_start box "$port"
wait "$DRIVER_PID" || fail "not delivered: $(tail -n 5 "$T/out3.err")"
DRIVER_PID=
grep -q 'message refused: 451 refused by the test server' "$T/out3.err" ||
	fail "no retry after the 451: $(cat "$T/out3.err")"
ok "451 at DATA: retried"
expect_rc 0 "then delivered once" -- mailcheck box --count 2 --seqs 1-2,11-13
