#!/usr/bin/env bash
# tests/notify/t-mail-burst.sh — storms coalesce and the rate limit holds
# mail back without losing anything: a burst of 500 events becomes a few
# mails that list all 500; past the hourly limit events wait, are folded
# into later mails, and go to the spool when the sink stops.
. "$(dirname "$0")/mail-lib.sh"

smtpd_start box 0
port=$(smtpd_port box)

# 500 events at once, 200 a mail at most: three mails, every event once.
driver out --spool "$T/spool" --server "127.0.0.1:$port" --emit 500 --coalesce 500 \
	--max-events 200 --wait-idle 30 || fail "burst not delivered: $(tail -n 5 "$T/out.err")"
expect_eq "$(jget out delivered)" 3 "500 events in three mails"
expect_rc 0 "all 500 listed, each once" -- mailcheck box --count 3 --seqs 1-500
grep -l '^300 more events wait for the next mail' "$T/box"/*.eml >/dev/null ||
	fail "the first mail does not say that more follow"
ok "a mail says how many events follow"

# Fewer than a batch within the window: one mail.
smtpd_stop box
smtpd_start box2 0
port=$(smtpd_port box2)
driver out2 --spool "$T/spool" --server "127.0.0.1:$port" --emit 20 --emit-start 1001 \
	--coalesce 300 --wait-idle 10 || fail "not delivered: $(cat "$T/out2.err")"
expect_rc 0 "20 events, one mail" -- mailcheck box2 --count 1 --seqs 1001-1020

# Rate limit 2 an hour, 10 events a mail: two mails go, 30 events wait.
smtpd_stop box2
smtpd_start box3 0
port=$(smtpd_port box3)
driver out3 --spool "$T/spool3" --server "127.0.0.1:$port" --emit 50 --max-events 10 \
	--rate 2 --coalesce 100 --run 2 || fail "driver: $(cat "$T/out3.err")"
expect_eq "$(jget out3 delivered)" 2 "two mails within the rate limit"
expect_eq "$(jget out3 pending_events)" 30 "30 events held back"
expect_eq "$(jget out3 held_events)" 30 "status: held by the rate limit"
expect_eq "$(jget out3 mails_last_hour)" 2 "status: mails in the last hour"
# The sink stopped with them waiting: they are in the spool, sent next time.
expect_eq "$(spooled "$T/spool3")" 3 "held events spooled at exit"
driver out4 --spool "$T/spool3" --server "127.0.0.1:$port" --wait-idle 10 ||
	fail "spool not flushed: $(cat "$T/out4.err")"
expect_rc 0 "all 50 arrive, none twice" -- mailcheck box3 --count 5 --seqs 1-50 --no-status 3
expect_eq "$(grep -l '^10 of these events were held back by the mail rate limit' "$T/box3"/*.eml | wc -l)" 3 \
	"the mails of held events say so"
