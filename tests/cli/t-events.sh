# herdctl events: recent events with filters, JSON, and -f following new
# ones as they happen.
. "$(dirname "$0")/lib.sh"
single_setup
single_start

expect_rc 0 "reload 1" -- hctl reload
printf '[nosuchsection]\n' >>"$T/etc/herd.conf"
expect_rc 1 "reload of a bad file" -- hctl reload
sed -i '/nosuchsection/d' "$T/etc/herd.conf"
expect_rc 0 "reload 2" -- hctl reload

# Start-up events come first (leader, recovery, init/setup/startup); the
# three reload events are the newest.
expect_rc 0 "events" -- hctl events
expect_match "$OUT" "#[0-9]+ +info +config-reloaded +node 0: configuration reloaded" "text shows a reload"
expect_match "$OUT" "#[0-9]+ +error +config-rejected" "and the rejected one"
expect_match "$OUT" "notice +startup +node 0: startup" "and the startup lifecycle event"
expect_rc 0 "events -j" -- hctl -j events
all=$OUT
expect_eq "$(printf '%s' "$all" | jq -r '[.events[].type | select(startswith("config"))] | join(",")')" \
	"config-reloaded,config-rejected,config-reloaded" "JSON lists the three in order"
expect_eq "$(printf '%s' "$all" | jq -r '.events[] | select(.type == "config-rejected") | .detail' | grep -c 'unknown section')" 1 \
	"the rejected event carries the reason"
last=$(printf '%s' "$all" | jq -r '.events[-1].seq')
expect_eq "$(hctl -j events --type config-rejected | jq '.events | length')" 1 "--type filters"
expect_eq "$(hctl -j events --limit 1 | jq -r '.events[0].seq')" "$last" "--limit keeps the newest"
expect_eq "$(hctl -j events --since $((last - 1)) | jq -r '[.events[].seq] | join(",")')" "$last" "--since SEQ"
expect_eq "$(hctl -j events --since 1h | jq '.events | length')" "$(printf '%s' "$all" | jq '.events | length')" "--since AGO"
expect_eq "$(hctl -j events --node 5 | jq '.events | length')" 0 "--node filters"
expect_rc 1 "an unknown type is refused" -- hctl events --type frob
expect_match "$OUT" "unknown event type 'frob'; expected one of: init, setup" "with the list of types"
expect_rc 2 "a bad --since is a usage error" -- hctl events --since yesterday
expect_match "$OUT" "bad --since 'yesterday'" "and says so"
expect_rc 0 "events --help" -- hctl events --help
expect_match "$OUT" "--follow" "help documents -f"

# Follow: history first, then new events as they happen.
hctl -j events -f >"$T/follow.out" 2>&1 &
fpid=$!
cleanup_add "kill $fpid 2>/dev/null"
n=$(hctl -j events | jq '.events | length')
wait_until 5 sh -c "[ \$(wc -l <'$T/follow.out') -ge $n ]" || fail "follow did not print the history"
expect_rc 0 "reload 3 while following" -- hctl reload
wait_until 5 grep -q '"seq":'"$((last + 1))"',' "$T/follow.out" || fail "follow did not print the new event"
expect_eq "$(grep -c '"type":"config-reloaded"' "$T/follow.out")" 3 "-f prints the new event once"
single_stop
wait "$fpid"; frc=$?
expect_eq "$frc" 1 "the follower exits 1 when herdd goes away"
expect_match "$(tail -n 1 "$T/follow.out")" "herdd closed the connection" "and says why"
