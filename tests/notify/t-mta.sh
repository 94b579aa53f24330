#!/usr/bin/env bash
# tests/notify/t-mta.sh — herdd's mail end to end through a real MTA, the
# path real sites use: herdd sends to root@localhost on the local MTA
# (Debian's exim4), whose aliases file forwards root to a local user
# (nobody), into whose mailbox the mail lands.
#
# Everything runs in a network namespace the test creates (only lo): exim
# listens on 127.0.0.1:25 there, herdd joins it; the host's network and the
# host's exim (if any) see nothing. exim runs with a configuration this
# test writes (spool, logs, aliases, mailbox all in the temp dir). exim
# keeps root privilege for a -C configuration only when that file is in its
# TRUSTED_CONFIG_LIST (Debian: /etc/exim4/trusted_configs), and it needs
# root to deliver as the local user; so exim also gets a mount namespace of
# its own in which a tmpfs over /etc/exim4 holds a trusted_configs listing
# this test's file (the host's /etc/exim4 is untouched).
#
# Skips (77) when exim4 is not installed (Debian: exim4-daemon-light).
. "$(dirname "$0")/../cli/lib.sh"

EXIM=/usr/sbin/exim4
TRUSTED_DIR=/etc/exim4          # where Debian's exim looks for trusted_configs
MTA_PORT=25                     # free by construction: the namespace is new
MTA_USER=nobody                 # the local user root's mail is aliased to
PY=/usr/bin/python3

[ -x "$EXIM" ] || skip "exim4 is not installed (Debian: exim4-daemon-light)"
[ -d "$TRUSTED_DIR" ] || fail "no $TRUSTED_DIR: exim4-config is missing"
getent passwd "$MTA_USER" >/dev/null || fail "no local user $MTA_USER"
command -v nsenter >/dev/null || fail "nsenter (util-linux) is missing"

umask 022
single_setup
M=$T/mta
mkdir -p "$M/spool" "$M/log" "$M/mail"

# ---- the MTA's configuration ---------------------------------------------------
cat >"$M/aliases" <<EOF
# root's mail goes to a local user, as /etc/aliases does on real sites
postmaster: root
root: $MTA_USER
EOF
cat >"$M/exim.conf" <<EOF
# exim for tests/notify/t-mta.sh: 127.0.0.1 only, no DNS, local delivery
# of root@localhost through $M/aliases into $M/mail/USER.
primary_hostname = mta.herd.test
qualify_domain = localhost
domainlist local_domains = localhost
local_interfaces = 127.0.0.1
daemon_smtp_ports = $MTA_PORT
disable_ipv6 = true
spool_directory = $M/spool
log_file_path = $M/log/%slog
pid_file_path = $M/exim.pid
keep_environment =
host_lookup =
rfc1413_hosts =
tls_advertise_hosts =
acl_smtp_rcpt = acl_check_rcpt

begin acl
acl_check_rcpt:
  accept domains = +local_domains
  deny message = relaying denied

begin routers
system_aliases:
  driver = redirect
  domains = +local_domains
  allow_fail
  data = \${lookup{\$local_part}lsearch{$M/aliases}}
local_user:
  driver = accept
  domains = +local_domains
  check_local_user
  transport = local_mailbox

begin transports
local_mailbox:
  driver = appendfile
  file = $M/mail/\$local_part
  current_directory = $M/mail
  delivery_date_add
  envelope_to_add
  return_path_add
  mode = 0600

begin retry
*  *  F,1h,1s
EOF
exim_user=$("$EXIM" -C "$M/exim.conf" -bP exim_user 2>&1 | sed -n 's/^exim_user = //p')
exim_group=$("$EXIM" -C "$M/exim.conf" -bP exim_group 2>&1 | sed -n 's/^exim_group = //p')
[ -n "$exim_user" ] && [ -n "$exim_group" ] ||
	fail "exim does not accept the configuration: $("$EXIM" -C "$M/exim.conf" -bV 2>&1 | tail -n 3)"
# exim writes spool and logs as its own user, delivers as the local user.
chown "$exim_user:$exim_group" "$M/spool" "$M/log"
chown "$MTA_USER" "$M/mail"
route=$("$EXIM" -C "$M/exim.conf" -bt root@localhost 2>&1)
expect_match "$route" "^$MTA_USER@localhost" "exim routes root@localhost through the aliases"
expect_match "$route" "router = local_user, transport = local_mailbox" "to the local user's mailbox"

# ---- start exim in a namespace of its own ------------------------------------
MTA_PID=
mta_stop() {
	[ -n "$MTA_PID" ] || return 0
	kill -TERM "$MTA_PID" 2>/dev/null
	wait "$MTA_PID" 2>/dev/null
	MTA_PID=
}
cleanup_add mta_stop
# unshare and sh exec: $! is exim's daemon itself (-bdf: in the foreground).
unshare -n -m --propagation private sh -c '
	mount -t tmpfs -o mode=755,size=64k herd-mta "$1" &&
	echo "$2" >"$1/trusted_configs" &&
	ip link set lo up &&
	exec "$3" -bdf -C "$2"' mta "$TRUSTED_DIR" "$M/exim.conf" "$EXIM" >>"$M/exim.out" 2>&1 &
MTA_PID=$!
mta_listens() { nsenter -t "$MTA_PID" -n ss -Hltn "sport = :$MTA_PORT" | grep -q .; }
wait_until 10 mta_listens ||
	fail "exim does not listen: $(cat "$M/exim.out" "$M"/log/*log 2>&1 | tail -n 20)"
ok "exim listens on 127.0.0.1:$MTA_PORT in the test's namespace"

# ---- herdd in the MTA's network namespace, mailing root@localhost ------------
# single_setup ends the file with "[mail] enabled = no": replace that line.
sed -i '/^enabled = no$/d' "$T/etc/herd.conf"
cat >>"$T/etc/herd.conf" <<EOF
enabled = yes
smtp server = 127.0.0.1:$MTA_PORT
to = root@localhost
severity = info
coalesce = 200ms
retry = 1s
retry max = 2s
timeout = 10s
EOF
# As single_start, but joining exim's namespace (nsenter execs: $! is herdd).
nsenter -t "$MTA_PID" -n "$HERDD" -d -c "$T/etc" >>"$T/herdd.log" 2>&1 &
HERDD_PID=$!
wait_until 10 "$HERDCTL" -s "$SOCK" ping ||
	{ cat "$T/herdd.log" >&2; fail "herdd did not answer within 10 s"; }
[ "$(readlink "/proc/$HERDD_PID/ns/net")" = "$(readlink "/proc/$MTA_PID/ns/net")" ] ||
	fail "herdd is not in the MTA's namespace"
ok "herdd runs in the same namespace"

box=$M/mail/$MTA_USER
# mbox MARKER: succeeds when a message in the mailbox has MARKER in its body.
in_box() { [ -f "$box" ] && grep -q -- "$1" "$box"; }

expect_rc 0 "reload (a config-reloaded event, severity info)" -- hctl reload
wait_until 20 in_box config-reloaded ||
	fail "no mail with config-reloaded in $box; exim log: $(tail -n 20 "$M/log/mainlog" 2>&1); herdd: $(tail -n 20 "$T/herdd.log")"
ok "the mail landed in $MTA_USER's mailbox"

expect_rc 0 "notify test unhealthy" -- hctl notify test unhealthy
expect_match "$OUT" "mail ok" "notify test reports the mail accepted by the MTA"
wait_until 20 in_box "test of the unhealthy event" ||
	fail "the test mail did not land: $(tail -n 20 "$M/log/mainlog" 2>&1)"
ok "the test mail landed too"

expect_match "$(cat "$M/log/mainlog")" "=> $MTA_USER <root@localhost> R=local_user T=local_mailbox" \
	"exim's log: delivered to $MTA_USER, addressed to root@localhost"
wait_until 10 sh -c "'$HERDCTL' -s '$SOCK' -j notify | jq -e '.mail.queued == 0 and .mail.delivered >= 2'" ||
	fail "notify status: $(hctl notify)"
expect_match "$(hctl notify)" "mail to .*root@localhost.* via 127.0.0.1:$MTA_PORT" "notify status names the route"

single_stop
expect_eq "$HERDD_RC" 0 "herdd exits 0 on SIGTERM"
# No delivery in progress: nothing in exim's queue (the mailbox is whole).
mta_idle() { [ -z "$(find "$M/spool/input" -type f -name '*-D' 2>/dev/null)" ]; }
wait_until 10 mta_idle || fail "exim's queue does not drain: $(tail -n 20 "$M/log/mainlog")"

# The mailbox as a mail reader sees it.
$PY - "$box" "$MTA_USER" <<'PY' || fail "mailbox contents: $(cat "$box")"
import mailbox, re, sys
box = mailbox.mbox(sys.argv[1], create=False)
msgs = list(box)
assert msgs, "the mailbox is empty"
subj = re.compile(r"^\[herd\] cli: node 0: (info|notice|warning|error|critical): \d+ events?(: \S+)?$")
row = re.compile(r"^(\d+)\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+0\s+(info|notice|warning|error|critical)\s+(\S+)\s")
seen = set()
for m in msgs:
    s = " ".join(str(m["Subject"]).split())
    assert subj.match(s), f"subject {s!r}"
    for h in ("Date", "Message-ID", "From", "To"):
        assert m[h], f"no {h}: header"
    assert m["From"] == "herd@localhost", m["From"]
    assert m["To"] == "root@localhost", m["To"]
    assert m["Envelope-to"] == "root@localhost", m["Envelope-to"]
    assert m["Return-path"] == "<herd@localhost>", m["Return-path"]
    assert "by mta.herd.test with esmtp (Exim" in " ".join(m.get_all("Received")), m["Received"]
    assert m.get_content_type() == "text/plain" and m.get_content_charset().lower() == "utf-8"
    body = m.get_payload(decode=True).decode("utf-8")
    rows = [row.match(l) for l in body.splitlines()]
    rows = [r for r in rows if r]
    assert rows, f"no events table in {body!r}"
    n = int(re.search(r": (\d+) events?", s).group(1))
    assert len(rows) == n, f"subject says {n} events, table has {len(rows)}"
    assert "Cluster status at" in body, "no cluster status"
    seen.update(r.group(3) for r in rows)
assert "config-reloaded" in seen, seen
assert "unhealthy" in seen, seen
print(f"{len(msgs)} mails in {sys.argv[2]}'s mailbox, events: {', '.join(sorted(seen))}")
PY
ok "every mail has herd's subject, headers, events table and status, via exim"
mta_stop
ok "done"
