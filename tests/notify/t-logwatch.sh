#!/usr/bin/env bash
# tests/notify/t-logwatch.sh — the logwatch service in conf/logwatch/
# (service, log file group, filter) run by the real logwatch over a
# captured herdd log: three herdd runs of a cluster test
# (tests/cluster/t-membership, t-monitor, t-failover, node 0 / node 2),
# turned into dated syslog lines for yesterday, a few lines for today (one
# with an RFC 3339 date, as newer rsyslog writes), and other programs'
# lines that must stay out. Checks --range All/Yesterday/Today at each
# detail level.
#
# logwatch reads its configuration from /etc/logwatch, fixed in the
# program: as root the test bind-mounts a temporary tree over it in a
# private mount namespace (unshare -m), so the installed logwatch runs
# unchanged; otherwise it runs a copy whose ConfigDir line points at the
# tree (T_LOGWATCH_COPY=1 forces that). Exit 77 when logwatch is not
# installed (Debian: logwatch).
. "$(dirname "$0")/../lib/common.sh"

command -v logwatch >/dev/null 2>&1 || skip "logwatch is not installed (apt-get install logwatch)"
LOGWATCH=$(command -v logwatch)

# (logwatch lower-cases the TmpDir it reads: a digits-only name)
T=${TMPDIR:-/tmp}/t-logwatch.$$.$(date +%s%N)
case $T in *[A-Z]*) T=/tmp/t-logwatch.$$.$(date +%s%N) ;; esac
mkdir -m 700 "$T" || fail "mkdir $T"
cleanup_add "rm -rf '$T'"
CONF=$T/etc/logwatch
mkdir -p "$CONF/conf/services" "$CONF/conf/logfiles" "$CONF/scripts/services" "$T/log" "$T/cache"
cp "$HERD_TOP/conf/logwatch/services/herd.conf" "$CONF/conf/services/"
cp "$HERD_TOP/conf/logwatch/logfiles/herd.conf" "$CONF/conf/logfiles/"
cp "$HERD_TOP/conf/logwatch/scripts/services/herd" "$CONF/scripts/services/"
# Only our log dir (not /var/log), our cache dir.
cat > "$CONF/conf/logwatch.conf" <<EOF
TmpDir = $T/cache
AppendVarLogToLogDirs = No
AppendVarAdmToLogDirs = No
EOF

# The captured log: "HH:MM:SS host herdd[PID]: message", levels stripped
# as syslog does, paths made site-like.
fixture() {
	cat <<'FIXTURE'
09:29:00 node0 herdd[6332]: no cluster key file is configured: node frames are not authenticated
09:29:07 node0 herdd[6332]: herdd 0.1.0 started: node 0 of cluster 'test' (3 nodes), control socket in /run/herd
09:29:14 node0 herdd[6332]: init event succeeded
09:29:21 node0 herdd[6332]: event init #1: init: the init event scripts succeeded
09:29:28 node0 herdd[6332]: setup event succeeded
09:29:35 node0 herdd[6332]: event setup #2: setup: the setup event scripts succeeded
09:29:42 node0 herdd[6332]: startup event succeeded
09:29:49 node0 herdd[6332]: event startup #3: startup: the startup event scripts succeeded
09:29:56 node0 herdd[6332]: node is healthy
09:30:03 node0 herdd[6332]: event healthy #4: node 0 is healthy: flags now OK
09:30:10 node0 herdd[6332]: transport: link 0 to node 1 (10.91.0.11) up
09:30:17 node0 herdd[6332]: event link-up #5: link 0 to node 1 is up: handshake
09:30:24 node0 herdd[6332]: event node-connected #6: node 1 connected: a link came up
09:30:31 node0 herdd[6332]: transport: link 1 to node 1 (10.91.1.11) up
09:30:38 node0 herdd[6332]: event link-up #7: link 1 to node 1 is up: handshake
09:30:45 node0 herdd[6332]: transport: link 0 to node 2 (10.91.0.12) up
09:30:52 node0 herdd[6332]: event link-up #8: link 0 to node 2 is up: handshake
09:30:59 node0 herdd[6332]: event node-connected #9: node 2 connected: a link came up
09:31:06 node0 herdd[6332]: transport: link 1 to node 2 (10.91.1.12) up
09:31:13 node0 herdd[6332]: event link-up #10: link 1 to node 2 is up: handshake
09:31:20 node0 herdd[6332]: recovery lock /srv/shared/.herd.lock: taken (helper 6362)
09:31:27 node0 herdd[6332]: event reclock-taken #11: recovery lock taken: /srv/shared/.herd.lock
09:31:34 node0 herdd[6332]: event leader-changed #12: node 0 is the leader: election: lowest-pnn
09:31:41 node0 herdd[6332]: event recovery-started #13: recovery started: generation 2
09:31:48 node0 herdd[6332]: event recovery-finished #14: recovery finished: generation 2 in 0s
09:31:55 node0 herdd[6332]: takeover run: 0 addresses, 0 moved, in 0s
12:49:02 node0 herdd[6754]: no cluster key file is configured: node frames are not authenticated
12:49:09 node0 herdd[6754]: herdd 0.1.0 started: node 0 of cluster 'test' (3 nodes), control socket in /run/herd
12:49:16 node0 herdd[6754]: init event succeeded
12:49:23 node0 herdd[6754]: event init #1: init: the init event scripts succeeded
12:49:30 node0 herdd[6754]: setup event succeeded
12:49:37 node0 herdd[6754]: event setup #2: setup: the setup event scripts succeeded
12:49:44 node0 herdd[6754]: startup event succeeded
12:49:51 node0 herdd[6754]: event startup #3: startup: the startup event scripts succeeded
12:49:58 node0 herdd[6754]: node is healthy
12:50:05 node0 herdd[6754]: event healthy #4: node 0 is healthy: flags now OK
12:50:12 node0 herdd[6754]: transport: link 1 to node 2 (10.91.1.12) up
12:50:19 node0 herdd[6754]: event link-up #5: link 1 to node 2 is up: handshake
12:50:26 node0 herdd[6754]: event node-connected #6: node 2 connected: a link came up
12:50:33 node0 herdd[6754]: transport: link 1 to node 1 (10.91.1.11) up
12:50:40 node0 herdd[6754]: event link-up #7: link 1 to node 1 is up: handshake
12:50:47 node0 herdd[6754]: event node-connected #8: node 1 connected: a link came up
12:50:54 node0 herdd[6754]: event leader-changed #9: node 1 is the leader: election: claimant
12:51:01 node0 herdd[6754]: transport: link 0 to node 2 (10.91.0.12) up
12:51:08 node0 herdd[6754]: event link-up #10: link 0 to node 2 is up: handshake
12:51:15 node0 herdd[6754]: transport: link 0 to node 1 (10.91.0.11) up
12:51:22 node0 herdd[6754]: event link-up #11: link 0 to node 1 is up: handshake
12:51:29 node0 herdd[6754]: transport: link 0 to node 1 (10.91.0.11) down: no frame for 1.001s
12:51:36 node0 herdd[6754]: event link-down #12: link 0 to node 1 is down: timeout
12:51:43 node0 herdd[6754]: transport: link 1 to node 1 (10.91.1.11) down: no frame for 1.001s
12:51:50 node0 herdd[6754]: event link-down #13: link 1 to node 1 is down: timeout
12:51:57 node0 herdd[6754]: event node-disconnected #14: node 1 disconnected: every link is down
12:52:04 node0 herdd[6754]: recovery lock /srv/shared/.herd.lock: taken (helper 7111)
12:52:11 node0 herdd[6754]: event reclock-taken #15: recovery lock taken: /srv/shared/.herd.lock
12:52:18 node0 herdd[6754]: event leader-changed #16: node 0 is the leader: election: lowest-pnn
12:52:25 node0 herdd[6754]: event recovery-started #17: recovery started: generation 5
12:52:32 node0 herdd[6754]: event recovery-finished #18: recovery finished: generation 5 in 0s
12:52:39 node0 herdd[6754]: takeover run: 0 addresses, 0 moved, in 0s
12:52:46 node0 herdd[6754]: transport: link 1 to node 1 (10.91.1.11) up
12:52:53 node0 herdd[6754]: event link-up #19: link 1 to node 1 is up: handshake
12:53:00 node0 herdd[6754]: event node-connected #20: node 1 connected: a link came up
12:53:07 node0 herdd[6754]: event recovery-started #21: recovery started: generation 6
12:53:14 node0 herdd[6754]: transport: link 0 to node 1 (10.91.0.11) up
12:53:21 node0 herdd[6754]: event link-up #22: link 0 to node 1 is up: handshake
12:53:28 node0 herdd[6754]: event recovery-finished #23: recovery finished: generation 6 in 0.001s
12:53:35 node0 herdd[6754]: takeover run: 0 addresses, 0 moved, in 0s
12:53:42 node0 herdd[6754]: transport: link 1 to node 1 (10.91.1.11) down: no frame for 1.001s
12:53:49 node0 herdd[6754]: event link-down #24: link 1 to node 1 is down: timeout
12:53:56 node0 herdd[6754]: transport: link 1 to node 1 (10.91.1.11) up
12:54:03 node0 herdd[6754]: event link-up #25: link 1 to node 1 is up: handshake
12:54:10 node0 herdd[6754]: received Terminated, shutting down
12:54:17 node0 herdd[6754]: event shutdown #26: herdd is shutting down: on Terminated
12:54:24 node0 herdd[6754]: herdd stopped
16:11:31 node0 herdd[8340]: no recovery lock is configured: a network partition can run two halves of the cluster at once
16:11:38 node0 herdd[8340]: no cluster key file is configured: node frames are not authenticated
16:11:45 node0 herdd[8340]: herdd 0.1.0 started: node 2 of cluster 'test' (3 nodes), control socket in /run/herd
16:11:52 node0 herdd[8340]: transport: link 0 to node 0 (10.91.0.10) up
16:11:59 node0 herdd[8340]: event link-up #1: link 0 to node 0 is up: handshake
16:12:06 node0 herdd[8340]: event node-connected #2: node 0 connected: a link came up
16:12:13 node0 herdd[8340]: event leader-changed #3: node 0 is the leader: it runs the recovery
16:12:20 node0 herdd[8340]: transport: link 0 to node 1 (10.91.0.11) up
16:12:27 node0 herdd[8340]: event link-up #4: link 0 to node 1 is up: handshake
16:12:34 node0 herdd[8340]: event node-connected #5: node 1 connected: a link came up
16:12:41 node0 herdd[8340]: init event succeeded
16:12:48 node0 herdd[8340]: event init #6: init: the init event scripts succeeded
16:12:55 node0 herdd[8340]: setup event failed (attempt 1): 00.storage: exit 1: shared storage not mounted yet; retrying every 200ms
16:13:02 node0 herdd[8340]: setup event succeeded after 9 attempts in 2.512s
16:13:09 node0 herdd[8340]: event setup #7: setup: the setup event scripts succeeded
16:13:16 node0 herdd[8340]: event healthy #8: node 1 is healthy: flags now OK
16:13:23 node0 herdd[8340]: startup event succeeded
16:13:30 node0 herdd[8340]: event startup #9: startup: the startup event scripts succeeded
16:13:37 node0 herdd[8340]: event healthy #10: node 0 is healthy: flags now OK
16:13:44 node0 herdd[8340]: node is healthy
16:13:51 node0 herdd[8340]: event healthy #11: node 2 is healthy: flags now OK
16:13:58 node0 herdd[8340]: monitor run skipped: the monitor event is still running
16:14:05 node0 herdd[8340]: node is unhealthy after 1 failed monitor run: 50.service: exit 1: service check failed: port 445 not answering
16:14:12 node0 herdd[8340]: this node is unhealthy: 50.service: exit 1: service check failed: port 445 not answering
16:14:19 node0 herdd[8340]: event unhealthy #12: node 2 is unhealthy: flags now UNHEALTHY: 50.service: exit 1: service check failed: port 445 not answering
16:14:26 node0 herdd[8340]: node is healthy
16:14:33 node0 herdd[8340]: event healthy #13: node 2 is healthy: flags now OK
16:14:40 node0 herdd[8340]: monitor run skipped: the monitor event is still running
16:14:47 node0 herdd[8340]: monitor run skipped: the monitor event is still running
16:14:54 node0 herdd[8340]: monitor run skipped: the monitor event is still running
16:15:01 node0 herdd[8340]: transport: link 0 to node 0 (10.91.0.10) down: closed
16:15:08 node0 herdd[8340]: event link-down #14: link 0 to node 0 is down: closed
16:15:15 node0 herdd[8340]: event node-disconnected #15: node 0 disconnected: every link is down
16:15:22 node0 herdd[8340]: event leader-changed #16: node 1 is the leader: election: claimant
16:15:29 node0 herdd[8340]: transport: link 0 to node 1 (10.91.0.11) down: closed
16:15:36 node0 herdd[8340]: event link-down #17: link 0 to node 1 is down: closed
16:15:43 node0 herdd[8340]: event node-disconnected #18: node 1 disconnected: every link is down
16:15:50 node0 herdd[8340]: event leader-changed #19: node 2 is the leader: election: lowest-pnn
16:15:57 node0 herdd[8340]: takeover run: 0 addresses, 0 moved, in 0s
16:16:04 node0 herdd[8340]: received Terminated, shutting down
16:16:11 node0 herdd[8340]: event shutdown #20: herdd is shutting down: on Terminated
16:16:18 node0 herdd[8340]: herdd stopped
19:33:25 node0 herdd[10341]: no cluster key file is configured: node frames are not authenticated
19:33:32 node0 herdd[10341]: herdd 0.1.0 started: node 0 of cluster 'test' (3 nodes), control socket in /run/herd
19:33:39 node0 herdd[10341]: init event succeeded
19:33:46 node0 herdd[10341]: event init #1: init: the init event scripts succeeded
19:33:53 node0 herdd[10341]: setup event succeeded
19:34:00 node0 herdd[10341]: event setup #2: setup: the setup event scripts succeeded
19:34:07 node0 herdd[10341]: startup event succeeded
19:34:14 node0 herdd[10341]: event startup #3: startup: the startup event scripts succeeded
19:34:21 node0 herdd[10341]: node is healthy
19:34:28 node0 herdd[10341]: event healthy #4: node 0 is healthy: flags now OK
19:34:35 node0 herdd[10341]: transport: link 0 to node 1 (10.91.0.11) up
19:34:42 node0 herdd[10341]: event link-up #5: link 0 to node 1 is up: handshake
19:34:49 node0 herdd[10341]: event node-connected #6: node 1 connected: a link came up
19:34:56 node0 herdd[10341]: transport: link 0 to node 2 (10.91.0.12) up
19:35:03 node0 herdd[10341]: event link-up #7: link 0 to node 2 is up: handshake
19:35:10 node0 herdd[10341]: event node-connected #8: node 2 connected: a link came up
19:35:17 node0 herdd[10341]: recovery lock /srv/shared/.herd.lock: taken (helper 10421)
19:35:24 node0 herdd[10341]: event reclock-taken #9: recovery lock taken: /srv/shared/.herd.lock
19:35:31 node0 herdd[10341]: event leader-changed #10: node 0 is the leader: election: lowest-pnn
19:35:38 node0 herdd[10341]: event recovery-started #11: recovery started: generation 2
19:35:45 node0 herdd[10341]: event recovery-finished #12: recovery finished: generation 2 in 0s
19:35:52 node0 herdd[10341]: event ip-takeover #13: 10.92.0.102 taken over: on pub0 by node 0 (0 connections to tickle)
19:35:59 node0 herdd[10341]: event ip-takeover #14: 10.92.0.105 taken over: on pub0 by node 0 (0 connections to tickle)
19:36:06 node0 herdd[10341]: event ip-takeover #15: fd92::150 taken over: on pub0 by node 0 (0 connections to tickle)
19:36:13 node0 herdd[10341]: takeover run: 8 addresses, 8 moved, in 0.021s
19:36:20 node0 herdd[10341]: moveip requested over the control socket by pid 13501
19:36:27 node0 herdd[10341]: event ip-takeover #16: 10.92.0.101 taken over: on pub0 by node 0 (1 connections to tickle)
19:36:34 node0 herdd[10341]: takeover run: 8 addresses, 1 moved, in 0.006s
19:36:41 node0 herdd[10341]: moveip requested over the control socket by pid 13783
19:36:48 node0 herdd[10341]: transport: link 0 to node 2 (10.91.0.12) down: closed
19:36:55 node0 herdd[10341]: event link-down #17: link 0 to node 2 is down: closed
19:37:02 node0 herdd[10341]: event node-disconnected #18: node 2 disconnected: every link is down
19:37:09 node0 herdd[10341]: event recovery-started #19: recovery started: generation 3
19:37:16 node0 herdd[10341]: event recovery-finished #20: recovery finished: generation 3 in 0s
19:37:23 node0 herdd[10341]: takeover run: 7 addresses, 1 moved, in 0.007s
19:37:30 node0 herdd[10341]: transport: link 0 to node 2 (10.91.0.12) up
19:37:37 node0 herdd[10341]: event link-up #21: link 0 to node 2 is up: handshake
19:37:44 node0 herdd[10341]: event node-connected #22: node 2 connected: a link came up
19:37:51 node0 herdd[10341]: event recovery-started #23: recovery started: generation 4
19:37:58 node0 herdd[10341]: event recovery-finished #24: recovery finished: generation 4 in 0s
19:38:05 node0 herdd[10341]: event ip-released #25: 10.92.0.102 released: from pub0 on node 0 (0 connections)
19:38:12 node0 herdd[10341]: takeover run: 8 addresses, 3 moved, in 0.020s
19:38:19 node0 herdd[10341]: event ip-takeover #26: 10.92.0.102 taken over: on pub0 by node 0 (0 connections to tickle)
19:38:26 node0 herdd[10341]: takeover run: 8 addresses, 2 moved, in 0.039s
19:38:33 node0 herdd[10341]: takeover run: 8 addresses, 0 moved, in 0s
19:38:40 node0 herdd[10341]: moveip requested over the control socket by pid 14878
19:38:47 node0 herdd[10341]: event ip-released #27: 10.92.0.102 released: from pub0 on node 0 (0 connections)
19:38:54 node0 herdd[10341]: takeover run: 8 addresses, 1 moved, in 0.004s
19:39:01 node0 herdd[10341]: takeover run: 9 addresses, 1 moved, in 0.002s
19:39:08 node0 herdd[10341]: takeover run: 8 addresses, 0 moved, in 0s
19:39:15 node0 herdd[10341]: reloadips requested over the control socket by pid 14972
19:39:22 node0 herdd[10341]: event config-reloaded #28: configuration reloaded: from /etc/herd/herd.conf
19:39:29 node0 herdd[10341]: takeover run: 7 addresses, 0 moved, in 0.014s
19:39:36 node0 herdd[10341]: takeover run: 7 addresses, 0 moved, in 0s
19:39:43 node0 herdd[10341]: event maintenance-on #29: maintenance mode on: until 2026-11-23T14:33:43Z (set by node 0): no bans, no leader changes, no health-driven changes
19:39:50 node0 herdd[10341]: monitor paused
19:39:57 node0 herdd[10341]: event node-disabled #30: node 1 is disabled: flags now DISABLED
19:40:04 node0 herdd[10341]: moveip requested over the control socket by pid 15136
19:40:11 node0 herdd[10341]: takeover run: 7 addresses, 2 moved, in 0.008s
19:40:18 node0 herdd[10341]: event maintenance-off #31: maintenance mode off: ended by node 0
19:40:25 node0 herdd[10341]: monitor resumed
19:40:32 node0 herdd[10341]: event node-enabled #32: node 1 is enabled: flags now OK
19:40:39 node0 herdd[10341]: takeover run: 7 addresses, 1 moved, in 0.010s
19:40:46 node0 herdd[10341]: received Terminated, shutting down
19:40:53 node0 herdd[10341]: event shutdown #33: herdd is shutting down: on Terminated
19:41:00 node0 herdd[10341]: herdd stopped
19:41:07 node0 herdd[10341]: event ip-released #34: 10.92.0.101 released: from pub0 on node 0 (0 connections)
19:41:14 node0 herdd[10341]: event ip-released #35: 10.92.0.105 released: from pub0 on node 0 (0 connections)
19:41:21 node0 herdd[10341]: event ip-released #36: fd92::150 released: from pub0 on node 0 (0 connections)
19:41:28 node0 herdd[10341]: released every public address (3): herdd is stopping
FIXTURE
}

yday=$(date -d yesterday '+%b %e')
today=$(date '+%b %e')
old=$(date -d '9 days ago' '+%b %e')
now_rfc=$(date '+%Y-%m-%dT%H:%M:%S.123456%:z')
{
	fixture | sed "s/^/$yday /"
	echo "$yday 06:00:01 node0 sshd[911]: Accepted publickey for root from 10.0.0.5 port 52144"
	echo "$yday 06:00:02 node0 herd-reclock[77]: event unhealthy #1: not herdd: must not count"
	echo "$old 10:00:00 node0 herdd[42]: event node-banned #1: node 7 is banned: flags now BANNED: too old"
	echo "$today 00:00:05 node0 CRON[1200]: (root) CMD (command -v debian-sa1 > /dev/null)"
	echo "$today 00:01:00 node0 herdd[5000]: herdd 0.1.0 started: node 0 of cluster 'test' (3 nodes), control socket in /run/herd"
	echo "$today 00:01:01 node0 herdd[5000]: event node-banned #901: node 2 is banned: flags now BANNED: today-marker"
	echo "$now_rfc node0 herdd[5000]: event unhealthy #902: node 0 is unhealthy: flags now UNHEALTHY: 60.nfs: exit 1: nfsd is not running"
} > "$T/log/syslog"

n_events=$(fixture | grep -c ': event ')
n_starts=$(fixture | grep -c ': herdd [^ ]* started')
n_stops=$(fixture | grep -c ': herdd stopped')
[ "$n_events" -gt 50 ] && [ "$n_starts" -gt 1 ] || fail "the fixture has $n_events events, $n_starts starts"

# Run logwatch for the herd service: RANGE DETAIL.
if [ -z "${T_LOGWATCH_COPY:-}" ] && [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	mode="the installed logwatch, /etc/logwatch bind-mounted in a private mount namespace"
	run_logwatch() {
		unshare -m sh -c 'mount --bind "$1" /etc/logwatch && shift && exec "$@"' sh "$CONF" \
			"$LOGWATCH" --service herd --range "$1" --detail "$2" --logdir "$T/log" \
			--output stdout
	}
else
	mode="a copy of logwatch with its ConfigDir set to the test's tree"
	sed "s|^my \$ConfigDir = \"/etc/logwatch\";|my \$ConfigDir = \"$CONF\";|" "$LOGWATCH" > "$T/logwatch"
	grep -q "^my \$ConfigDir = \"$CONF\";" "$T/logwatch" || fail "cannot point logwatch at $CONF"
	run_logwatch() {
		perl "$T/logwatch" --service herd --range "$1" --detail "$2" --logdir "$T/log" \
			--output stdout
	}
fi
echo "# running $mode"


# The herd section of a report (between its Begin and End lines).
section() { printf '%s\n' "$1" | sed -n '/-- herd cluster Begin --/,/-- herd cluster End --/p'; }

# --- All, high: every line of every day, every event listed.
expect_rc 0 "logwatch --range All --detail high" -- run_logwatch All high
ALL=$(section "$OUT")
[ -n "$ALL" ] || fail "no herd section in:
$OUT"
ok "the report has a 'herd cluster' section"
expect_match "$ALL" "^ Events: $((n_events + 3))\$" "All: every herdd event counted ($n_events captured + 3 more)"
expect_match "$ALL" "^    ip-takeover +[0-9]+\$" "events by type"
expect_match "$ALL" "herdd started $((n_starts + 1)) times, stopped $n_stops times?\$" "starts and stops"
expect_match "$ALL" "node 2: unhealthy 1 time, last: 50.service: exit 1: service check failed: port 445 not answering" \
	"a failed monitor script with its output"
expect_match "$ALL" "node 1: .*disconnected [0-9]+" "node state changes"
expect_match "$ALL" "^ Leader changes: [0-9]+ \\(last: " "leader changes"
expect_match "$ALL" "^ Recoveries: [0-9]+ started, [0-9]+ finished" "recoveries"
expect_match "$ALL" "^ Public addresses: [0-9]+ taken over, [0-9]+ moved, [0-9]+ released \\([0-9]+ addresses\\)" \
	"failovers"
expect_match "$ALL" "^    10\\.92\\.0\\.101 +taken over [0-9]+, moved [0-9]+, released [0-9]+" "failovers per address (high)"
expect_match "$ALL" "^ Warnings and errors: [0-9]+" "warnings and errors"
expect_match "$ALL" "setup event failed \\(attempt 1\\): 00.storage: exit 1" "a warning listed"
expect_match "$ALL" "^ Every event:" "high lists every event"
expect_match "$ALL" "#901 node-banned: node 2 is banned: flags now BANNED: today-marker" "today's line is in All"
expect_match "$ALL" "#902 unhealthy: node 0 is unhealthy" "an RFC 3339 dated line is read"
expect_match "$ALL" "too old" "All reaches back 9 days"
expect_match "$ALL" "^ Other messages:" "high lists herdd's other messages"
printf '%s\n' "$ALL" | grep -q "sshd\|CRON\|not herdd" && fail "other programs' lines in the herd section"
ok "other programs' lines stay out (herd-reclock, sshd, cron)"

# --- Yesterday, med: the captured day only, lists but not every event.
expect_rc 0 "logwatch --range Yesterday --detail med" -- run_logwatch Yesterday med
Y=$(section "$OUT")
expect_match "$Y" "^ Events: $n_events\$" "Yesterday: the captured events only"
expect_match "$Y" "^       1 x 50.service: exit 1: service check failed: port 445 not answering" \
	"med: each output of a failed script"
expect_match "$Y" "^    node [0-9]+ is the leader \\(election: [a-z-]+\\): [0-9]+ times?" "med: leader changes listed"
printf '%s\n' "$Y" | grep -q "Every event\|today-marker\|too old" && fail "Yesterday shows more than yesterday"
ok "Yesterday leaves out today, older days and the event list"

# --- Today, low: two events, totals only.
expect_rc 0 "logwatch --range Today --detail low" -- run_logwatch Today low
D=$(section "$OUT")
expect_match "$D" "^ Events: 2\$" "Today: two events"
expect_match "$D" "herdd started 1 time, stopped 0 times" "Today: one start"
expect_match "$D" "node 0: unhealthy 1 time, last: 60.nfs: exit 1: nfsd is not running" "Today: the failed script"
printf '%s\n' "$D" | grep -q "^       1 x\|Every event\|Other messages" && fail "low shows lists"
ok "low shows totals only"

# --- A range with no herdd lines: no section at all.
rm -f "$T/log/syslog"
echo "$today 00:00:05 node0 CRON[1200]: (root) CMD (true)" > "$T/log/syslog"
expect_rc 0 "logwatch --range Today with no herdd lines" -- run_logwatch Today high
[ -z "$(section "$OUT")" ] || fail "a herd section without herdd lines: $OUT"
ok "no herdd lines: no herd section"
echo "t-logwatch: all checks passed"
