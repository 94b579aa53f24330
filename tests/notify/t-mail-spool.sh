#!/usr/bin/env bash
# tests/notify/t-mail-spool.sh — never lost, never twice: with the SMTP
# server down, mails wait in the spool (fsync'd files, retry state beside
# them); a sink started on a non-empty spool sends it at once; one that
# keeps retrying delivers when the server comes back. Every event arrives
# exactly once, no Message-ID twice, and the spool ends empty.
. "$(dirname "$0")/mail-lib.sh"

port=$(free_port)
spool=$T/spool

# 1. Server down: the mail is spooled, its attempts recorded.
driver out1 --spool "$spool" --server "127.0.0.1:$port" --emit 3 --coalesce 100 \
	--retry-min 200 --run 1.5 || fail "driver: $(cat "$T/out1.err")"
expect_eq "$(spooled "$spool")" 1 "server down: one mail in the spool"
expect_eq "$(jget out1 queued)" 1 "status: one queued"
expect_match "$(jget out1 last_error)" "Connection refused" "status: the last error"
expect_match "$(jget out1 attempts_failed)" "^[1-9][0-9]*$" "status: failed attempts counted"
expect_match "$(cat "$spool"/*.state)" "attempts [1-9]" "the attempts are persisted"

# 2. Events that do not fit the coalescing window and the run: at exit
#    they go to the spool too (the sink is freed with events waiting).
driver out2 --spool "$spool" --server "127.0.0.1:$port" --emit 2 --emit-start 11 \
	--coalesce 60000 --run 0.3 || fail "driver: $(cat "$T/out2.err")"
expect_eq "$(spooled "$spool")" 2 "waiting events spooled at exit"

# 3. A new sink retries while the server is still down, then it comes back.
driver_bg out3 --spool "$spool" --server "127.0.0.1:$port" --emit 4 --emit-start 101 \
	--coalesce 100 --retry-min 300 --retry-max 600 --wait-idle 30
sleep 1.5
kill -0 "$DRIVER_PID" 2>/dev/null || fail "the driver gave up: $(cat "$T/out3.err")"
expect_eq "$(ls "$T/box" 2>/dev/null | grep -c '\.eml$')" 0 "nothing delivered while down"
smtpd_start box "$port"
wait "$DRIVER_PID" || fail "not all delivered: $(tail -n 5 "$T/out3.err")"
DRIVER_PID=
expect_eq "$(jget out3 queued)" 0 "the spool is empty"
expect_eq "$(jget out3 delivered)" 3 "three mails delivered"
expect_eq "$(spooled "$spool")" 0 "no message file left"
expect_eq "$(find "$spool" -maxdepth 1 -type f | wc -l)" 0 "no state file left"
expect_rc 0 "every event once, no Message-ID twice" -- \
	mailcheck box --count 3 --seqs 1-3,11-12,101-104 --no-status 1

# 4. Flushed at start: a spool filled while down goes out as the sink starts.
smtpd_stop box
driver out4 --spool "$spool" --server "127.0.0.1:$port" --emit 5 --emit-start 201 \
	--coalesce 100 --retry-min 60000 --run 1 || fail "driver: $(cat "$T/out4.err")"
expect_eq "$(spooled "$spool")" 1 "down again: spooled"
smtpd_start box "$port"
start=$(date +%s%N)
driver out5 --spool "$spool" --server "127.0.0.1:$port" --retry-min 60000 --wait-idle 10 ||
	fail "the spool was not flushed at start: $(cat "$T/out5.err")"
ms=$((($(date +%s%N) - start) / 1000000))
[ $ms -lt 5000 ] || fail "flushing at start took ${ms}ms (the retry was a minute away)"
ok "a non-empty spool is flushed at start, not at its next retry (${ms}ms)"
expect_rc 0 "still every event once" -- mailcheck box --count 4 --seqs 1-3,11-12,101-104,201-205 --no-status 1
