# notify.d handlers through herdd: every event runs every handler with
# CTDB's argv[1] and the HERD_* environment; a failing handler is counted
# and shown by `herdctl notify status`; `herdctl notify test` reports what
# each handler did; leftovers and non-executables are skipped.
. "$(dirname "$0")/lib.sh"
single_setup
mkdir -p "$T/etc/notify.d"
cat >"$T/etc/notify.d/10-record" <<SH
#!/bin/sh
# records argv[1] and the environment of every run
{ echo "argv1=\$1 argc=\$#"; env | grep -E '^(HERD_|PATH=|SECRET)' | sort; echo ---; } >>"$T/record.txt"
SH
cat >"$T/etc/notify.d/20-ctdb-style" <<SH
#!/bin/sh
# a CTDB notify.sh handler only reads \$1
echo "\$1" >>"$T/ctdb.txt"
SH
printf '#!/bin/sh\nexit 3\n' >"$T/etc/notify.d/30-fails"
printf '#!/bin/sh\necho should not run >>"%s/leftover.txt"\n' "$T" >"$T/etc/notify.d/10-record~"
printf '#!/bin/sh\necho should not run >>"%s/leftover.txt"\n' "$T" >"$T/etc/notify.d/40-not-executable"
chmod +x "$T/etc/notify.d/10-record" "$T/etc/notify.d/20-ctdb-style" "$T/etc/notify.d/30-fails" \
	"$T/etc/notify.d/10-record~"
SECRET_TEST_VAR=leak single_start

expect_rc 0 "reload (a config-reloaded event)" -- hctl reload
wait_until 5 grep -q '^argv1=config-reloaded' "$T/record.txt" ||
	fail "the handler did not see config-reloaded: $(cat "$T/record.txt" 2>&1)"
rec=$(awk '/^argv1=config-reloaded/,/^---/' "$T/record.txt")
expect_match "$rec" "argc=1" "argv has exactly the event name"
expect_match "$rec" "HERD_EVENT=config-reloaded" "HERD_EVENT"
expect_match "$rec" "HERD_SEQ=[0-9]+" "HERD_SEQ"
expect_match "$rec" "HERD_SEVERITY=info" "HERD_SEVERITY"
expect_match "$rec" "HERD_CLUSTER=cli" "HERD_CLUSTER"
expect_match "$rec" "HERD_SUBJECT=" "HERD_SUBJECT"
expect_match "$rec" "HERD_TIME=20[0-9-]+T" "HERD_TIME (ISO 8601)"
[[ "$rec" != *SECRET_TEST_VAR* ]] || fail "herdd's environment leaked into a handler"
ok "the environment is scrubbed"
wait_until 5 grep -q '^config-reloaded$' "$T/ctdb.txt" || fail "the CTDB-style handler missed the event"
ok "a CTDB-style handler gets the event name as \$1"
[ ! -e "$T/leftover.txt" ] || fail "an editor leftover or non-executable ran"
ok "leftovers and non-executables are skipped"

wait_until 5 sh -c "$HERDCTL -s $SOCK -j notify | jq -e '.handlers.handlers[] | select(.name == \"30-fails\") | .failures >= 1'" ||
	fail "the failing handler is not counted"
expect_rc 0 "notify status" -- hctl notify status
expect_match "$OUT" "30-fails .*failed:[1-9]" "notify status shows the failures"
expect_match "$OUT" "exit 3" "and the last error"

expect_rc 0 "notify test" -- hctl notify test unhealthy
expect_match "$OUT" "test unhealthy event" "notify test names the event"
expect_match "$OUT" "handler 10-record +ok" "the recording handler ran"
expect_match "$OUT" "handler 30-fails +failed \(exit 3\)" "the failing one is reported"
expect_match "$OUT" "mail: not enabled" "notify test says mail is off here"
expect_match "$OUT" "event subscribers .*: 0" "and how many subscribers (herd-agentx) got it"
expect_match "$(cat "$T/record.txt")" "HERD_TEST=1" "a test event says so to the handlers"
expect_rc 1 "notify test of an unknown event" -- hctl notify test no-such-event
expect_match "$OUT" "unknown event 'no-such-event'" "says which"
expect_rc 0 "notify -j" -- hctl -j notify
expect_eq "$(echo "$OUT" | jq -r '.handlers.handlers | length')" 3 "three handlers known"
single_stop
expect_eq "$HERDD_RC" 0 "herdd exits 0 on SIGTERM"
expect_match "$(cat "$T/record.txt")" "argv1=shutdown" "the handlers see the shutdown event before herdd exits"
ok "done"
