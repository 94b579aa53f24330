# The persistent event log: events survive a restart of herdd and their
# numbering goes on; herdctl events reads them back with its filters; the
# count bound drops the oldest; herdctl digest summarises the log.
. "$(dirname "$0")/lib.sh"
single_setup
printf '[events]\nlog max count = 40\n' >>"$T/etc/herd.conf"
single_start
for i in 1 2 3; do hctl reload >/dev/null || fail "reload $i"; done
wait_until 5 sh -c "$HERDCTL -s $SOCK -j events --type config-reloaded | jq -e '.events | length == 3'" ||
	fail "three config-reloaded events"
ok "three reloads are three events"
last=$(hctl -j events | jq '.events[-1].seq')
single_stop
expect_eq "$HERDD_RC" 0 "herdd stopped"
[ -s "$T/state/events.tdb" ] || fail "no event log in the state dir"
ok "the event log is in the state dir"

single_start
expect_eq "$(hctl -j events --type config-reloaded | jq '.events | length')" 3 \
	"after a restart herdctl events still shows the three reloads"
expect_match "$(hctl -j events | jq -r .source)" "log" "events are read from the log"
first_new=$(hctl -j events | jq '[.events[] | select(.type == "init")] | .[-1].seq')
[ "$first_new" -gt "$last" ] || fail "numbering restarted: $first_new after $last"
ok "sequence numbers go on after a restart ($last, then $first_new)"
expect_match "$(hctl events --type shutdown)" "herdd is shutting down" "the shutdown event was kept"

# The count bound: 40 events at most, the oldest dropped.
for i in $(seq 1 40); do hctl reload >/dev/null || fail "reload"; done
wait_until 5 sh -c "[ \$($HERDCTL -s $SOCK -j statistics | jq .event_log.count) -le 40 ]" ||
	fail "the log holds more than 40 events"
ok "the log keeps at most 40 events"
expect_eq "$(hctl -j events --limit 1000 | jq '.events | length')" 40 "herdctl events shows the 40 kept"
expect_eq "$(hctl -j events --since "$last" --limit 1000 | jq '[.events[] | select(.seq <= '"$last"')] | length')" 0 \
	"--since SEQ returns only later events"

# The digest over the log.
expect_rc 0 "digest" -- hctl digest --range today --detail high
expect_match "$OUT" "Processing Initiated" "the digest has logwatch's header"
expect_match "$OUT" "config-reloaded" "detail high lists the events"
expect_rc 1 "digest with a bad range" -- hctl digest --range "next week"
expect_match "$OUT" "bad range 'next week'" "says why"
single_stop
ok "done"
