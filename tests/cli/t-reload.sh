# Reload is a transaction: a good file is swapped in; a bad one leaves herdd
# on the old configuration and says why (herdctl reload and SIGHUP alike).
. "$(dirname "$0")/lib.sh"
single_setup
single_start
conf=$T/etc/herd.conf
cp "$conf" "$T/good.conf"

expect_rc 0 "reload of an unchanged file" -- hctl reload
expect_match "$OUT" "reloaded its configuration from $conf" "reload says which file"

sed -i 's/level = info/level = debug/' "$conf"
expect_rc 0 "reload with a new log level" -- hctl reload
expect_eq "$(hctl -j uptime | jq -r .reloads)" 2 "two reloads counted"

# A bad file: unknown key. herdctl reload fails with herdd's file:line message.
cp "$T/good.conf" "$conf"
printf '[membership]\nkeepalive interval = soon\n' >>"$conf"
expect_rc 1 "reload of a bad file fails" -- hctl reload
expect_match "$OUT" "herdctl: reload: $conf:[0-9]+: .*keepalive interval" \
	"herdctl -c still finds herdd, which names file, line and key"
expect_rc 0 "herdd still answers" -- "$HERDCTL" -s "$SOCK" status
expect_eq "$("$HERDCTL" -s "$SOCK" -j uptime | jq -r .reload_failures)" 1 "failure counted"
expect_match "$("$HERDCTL" -s "$SOCK" -j uptime | jq -r .last_reload_error)" "keepalive interval" \
	"uptime -j shows why the last reload failed"
expect_match "$(cat "$T/herdd.log")" "reload failed, still running the previous configuration" \
	"the failure is logged"

# SIGHUP with a bad file: same.
kill -HUP "$HERDD_PID"
wait_until 5 grep -q "reload failed.*" "$T/herdd.log" || fail "SIGHUP reload not logged"
wait_until 5 sh -c "[ \$('$HERDCTL' -s '$SOCK' -j uptime | jq -r .reload_failures) = 2 ]" ||
	fail "SIGHUP failure not counted"
ok "SIGHUP with a bad file keeps the old configuration"

# A key that cannot change at run time.
sed "s|run dir = .*|run dir = $T/run2|" "$T/good.conf" >"$conf"
expect_rc 1 "changing the run dir at run time is refused" -- "$HERDCTL" -s "$SOCK" reload
expect_match "$OUT" "'run dir' in \[paths\] cannot change while herdd runs" "and says restart"

# A good file again, by SIGHUP.
cp "$T/good.conf" "$conf"
kill -HUP "$HERDD_PID"
wait_until 5 sh -c "[ \$('$HERDCTL' -s '$SOCK' -j uptime | jq -r .reloads) = 3 ]" ||
	fail "SIGHUP reload of a good file not counted"
ok "SIGHUP reload of a good file"
expect_eq "$(hctl -j uptime | jq -r .last_reload_error)" null "the last error is cleared"
single_stop
expect_eq "$HERDD_RC" 0 "herdd exits 0"
