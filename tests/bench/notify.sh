#!/usr/bin/env bash
# tests/bench/notify.sh — the notification pipeline's figures (issue 6,
# make bench): one line per figure, as tests/bench/lib.sh prints them.
#
#   event log   bench_evlog (tests/bench/bench_evlog.c): events/s appended
#               in each crash-safety mode and read back (skipped with a note
#               when $BUILD/tests/bench_evlog was not built)
#   latency     one herdd (tests/cli/lib.sh) with a notify.d handler and
#               [mail] coalesce = 0s to tests/notify/smtpd.py, both in a
#               network namespace of their own. BENCH_NOTIFY_ROUNDS (50)
#               events, one at a time (disable / enable, alternating: each
#               is one node-disabled or node-enabled event), each once the
#               previous one was handled and mailed:
#                 event -> handler started: the handler (bash) stamps
#                   $EPOCHREALTIME first thing, minus the event's wall time
#                   (HERD_TIME_EPOCH/HERD_TIME_USEC); includes fork, exec
#                   and bash's own start-up, measured alone for comparison
#                 event -> mail accepted: smtpd.py's accepted_us (DATA
#                   complete) minus the event's wall_us (herdctl events)
#   burst       a fresh herdd at the default [notify] and [mail] settings
#               (coalesce 10s, 1,000 events a mail, 12 mails an hour) with
#               one handler (/bin/sh, does nothing): BENCH_NOTIFY_BURST
#               (10,000) events from disable/enable requests pipelined on
#               one control connection (64 outstanding; herdctl in a loop
#               would measure fork and exec, ~20 ms each here, not herdd).
#               Figures: events/s herdd takes in, its RSS before, right
#               after and peak (VmHWM), the handler runs/s while draining,
#               how many mails carried the burst; and the RSS once every
#               run and mail is done if that is within BENCH_NOTIFY_DRAIN
#               (30) s (each run is a fork+exec: ~15 ms on a busy VM, so
#               10,000 runs take minutes there), else the runs left.
#
# Needs root (network namespaces) and python3-aiosmtpd; exits 77 without.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
export HERD_BUILD=${HERD_BUILD:-$PWD/$BUILD}
. tests/cli/lib.sh
. tests/bench/lib.sh
status=0
ROUNDS=${BENCH_NOTIFY_ROUNDS:-50}
BURST=${BENCH_NOTIFY_BURST:-10000}
DRAIN=${BENCH_NOTIFY_DRAIN:-30}
PY=/usr/bin/python3
$PY -c 'import aiosmtpd' 2>/dev/null || skip "python3-aiosmtpd is not installed"

single_setup
mkdir -p "$T/evlog" "$T/box"

# ---- the event log -------------------------------------------------------------
if [ -x "$HERD_BUILD/tests/bench_evlog" ]; then
	while IFS=$'\t' read -r name value unit; do
		figure "$name" "$value" "$unit"
	done < <("$HERD_BUILD/tests/bench_evlog" "$T/evlog" 50000)
else
	echo "(no $HERD_BUILD/tests/bench_evlog: the event log figures need 'make tests')"
fi
echo

# ---- a control client and the measurements (python: one process) --------------
cat >"$T/bench.py" <<'PY'
import json, os, re, socket, struct, sys, time

MAGIC, HDR = 0x4843544C, struct.Struct(">IBBHIiI")
ROW = re.compile(rb"^(\d+)\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s", re.M)


class Ctl:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.buf, self.id = b"", 0

    def send(self, verb, args=None):
        self.id += 1
        body = json.dumps({"verb": verb, "args": args or {}}).encode()
        self.s.sendall(HDR.pack(MAGIC, 1, 1, 0, self.id, 0, len(body)) + body)

    def reply(self):
        while True:
            if len(self.buf) >= HDR.size:
                magic, _, typ, _, rid, st, n = HDR.unpack_from(self.buf)
                if magic != MAGIC:
                    raise SystemExit("not a herdd control frame")
                if len(self.buf) >= HDR.size + n:
                    body = self.buf[HDR.size:HDR.size + n]
                    self.buf = self.buf[HDR.size + n:]
                    if typ == 2:
                        return st, json.loads(body)
                    continue
            chunk = self.s.recv(1 << 16)
            if not chunk:
                raise SystemExit("herdd closed the control connection")
            self.buf += chunk

    def call(self, verb, args=None):
        self.send(verb, args)
        st, o = self.reply()
        if st:
            raise SystemExit(f"{verb}: {o}")
        return o


def wait(cond, secs=20):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        v = cond()
        if v is not None:
            return v
        time.sleep(0.002)
    return None


def latency(sock, hlog, box, rounds):
    c = Ctl(sock)
    mails_seen, h, m = set(), [], []
    for i in range(rounds):
        seq = c.call("events", {"limit": 1})["next_seq"]
        verb = "disable" if i % 2 == 0 else "enable"
        c.call(verb)
        ev = wait(lambda: next((e for e in c.call("events", {"since_seq": seq - 1, "limit": 10})["events"]
                                if e["seq"] >= seq and e["type"] == f"node-{verb}d"), None))
        if not ev:
            raise SystemExit(f"round {i}: no node-{verb}d event since #{seq}")
        s, wall = ev["seq"], ev["wall_us"]

        def handler_line():
            try:
                for line in open(hlog):
                    f = line.split()
                    if f and int(f[0]) == s:
                        return f
            except FileNotFoundError:
                pass
            return None
        f = wait(handler_line)
        if not f:
            raise SystemExit(f"round {i}: the handler did not record event #{s}")
        if int(f[1]) * 1000000 + int(f[2]) != wall:
            raise SystemExit(f"handler's HERD_TIME_* {f[1]}.{f[2]} != the event's wall_us {wall}")
        h.append(round(float(f[3]) * 1e6) - wall)

        def mailed():
            for n in sorted(os.listdir(box)):
                if not n.endswith(".eml") or n in mails_seen:
                    continue
                rows = [int(x) for x in ROW.findall(open(os.path.join(box, n), "rb").read())]
                if s in rows:
                    mails_seen.add(n)
                    return json.load(open(os.path.join(box, n[:-4] + ".json")))["accepted_us"]
            return None
        acc = wait(mailed)
        if acc is None:
            raise SystemExit(f"round {i}: no mail with event #{s}")
        m.append(acc - wall)
        time.sleep(0.02)
    print(" ".join(str(x) for x in h))
    print(" ".join(str(x) for x in m))


def burst(sock, n, window):
    c = Ctl(sock)
    seq0 = c.call("events", {"limit": 1})["next_seq"]
    t0, sent, got, errs = time.monotonic(), 0, 0, 0
    while got < n:
        while sent < n and sent - got < window:
            c.send("disable" if sent % 2 == 0 else "enable")
            sent += 1
        st, _ = c.reply()
        got += 1
        errs += st != 0
    t1 = time.monotonic()
    seq1 = c.call("events", {"limit": 1})["next_seq"]
    print(f"{seq1 - seq0} {round((t1 - t0) * 1e6)} {errs}")


if __name__ == "__main__":
    if sys.argv[1] == "latency":
        latency(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        burst(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
PY

# ---- smtpd.py in a namespace of its own; herdd joins it ------------------------
SMTPD_PID=
smtpd_stop() {
	[ -n "$SMTPD_PID" ] || return 0
	kill -TERM "$SMTPD_PID" 2>/dev/null
	wait "$SMTPD_PID" 2>/dev/null
	SMTPD_PID=
}
cleanup_add smtpd_stop
unshare -n sh -c 'ip link set lo up && exec "$@"' smtpd \
	$PY "$HERD_TOP/tests/notify/smtpd.py" --dir "$T/box" --port 2525 >>"$T/smtpd.log" 2>&1 &
SMTPD_PID=$!
wait_until 10 test -s "$T/box/port" || fail "smtpd.py did not start: $(cat "$T/smtpd.log")"

sed -i '/^enabled = no$/d' "$T/etc/herd.conf"
cp "$T/etc/herd.conf" "$T/herd.conf.base"
conf() { # [mail] and [notify] lines after the base
	{ cat "$T/herd.conf.base"; printf '%b\n' "enabled = yes\nsmtp server = 127.0.0.1:2525" "$@"; } \
		>"$T/etc/herd.conf"
}
# As single_start, but in smtpd's namespace (nsenter execs: $! is herdd).
herdd_start() {
	nsenter -t "$SMTPD_PID" -n "$HERDD" -d -c "$T/etc" >>"$T/herdd.log" 2>&1 &
	HERDD_PID=$!
	wait_until 10 "$HERDCTL" -s "$SOCK" ping || fail "herdd did not answer: $(tail "$T/herdd.log")"
	# startup done and the node healthy: no monitor event in the middle
	wait_until 60 sh -c "'$HERDCTL' -s '$SOCK' -j events --type healthy --limit 1 | jq -e '.events | length > 0'" ||
		fail "herdd did not become healthy"
}
notify_json() { "$HERDCTL" -s "$SOCK" -j notify; }
idle() { notify_json | jq -e '.handlers.queued == 0 and .handlers.running == 0 and .mail.queued == 0' >/dev/null; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$HERDD_PID/stat"; } # utime + stime
kib() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$HERDD_PID/status"; }

# ---- latency -------------------------------------------------------------------
mkdir -p "$T/etc/notify.d"
cat >"$T/etc/notify.d/50-stamp" <<SH
#!/bin/bash
echo "\$HERD_SEQ \$HERD_TIME_EPOCH \$HERD_TIME_USEC \$EPOCHREALTIME" >>"$T/handler.log"
SH
chmod +x "$T/etc/notify.d/50-stamp"
conf "severity = info\ncoalesce = 0s\nrate limit = 0\nretry = 1s"
herdd_start
wait_until 20 idle || fail "the start-up events are not handled and mailed"
$PY "$T/bench.py" latency "$SOCK" "$T/handler.log" "$T/box" "$ROUNDS" >"$T/latency" ||
	fail "latency run failed"
read -r -a hl < <(sed -n 1p "$T/latency")
read -r -a ml < <(sed -n 2p "$T/latency")
ms() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); } # µs -> ms
read -r med max < <(stats "${hl[@]}")
figure "event -> handler started, median of $ROUNDS" "$(ms "$med")" ms 100
figure "event -> handler started, max" "$(ms "$max")" ms
bs=()
for ((i = 0; i < 20; i++)); do
	a=${EPOCHREALTIME/./}; bash -c ':'; b=${EPOCHREALTIME/./}; bs+=($((b - a)))
done
read -r bmed _ < <(stats "${bs[@]}")
figure "  (for comparison: bash -c : from bash, median)" "$(ms "$bmed")" ms
read -r med max < <(stats "${ml[@]}")
figure "event -> mail accepted (coalesce 0s), median" "$(ms "$med")" ms 500
figure "event -> mail accepted (coalesce 0s), max" "$(ms "$max")" ms
single_stop
echo

# ---- a burst of events ---------------------------------------------------------
rm -f "$T/etc/notify.d/50-stamp"
printf '#!/bin/sh\nexit 0\n' >"$T/etc/notify.d/50-noop"
chmod +x "$T/etc/notify.d/50-noop"
conf
herdd_start
wait_until 30 idle || fail "the start-up events are not handled and mailed"
rss0=$(kib VmRSS)
mails0=$(find "$T/box" -name '*.eml' | wc -l)
runs0=$(notify_json | jq .handlers.runs)
t0=$(now_us)
read -r nev us errs < <($PY "$T/bench.py" burst "$SOCK" "$BURST" 64) || fail "burst run failed"
[ "$errs" = 0 ] || fail "$errs requests of the burst failed"
rss1=$(kib VmRSS)
c1=$(cpu_ticks) t1=$(now_us)
queued=$(notify_json | jq .handlers.queued)
# Drain: the mails go at once (full batches of 1,000); the handler runs take
# fork+exec each (~15 ms here), so wait for them at most DRAIN seconds.
while ! idle && [ "$(now_us)" -lt $((t0 + DRAIN * 1000000)) ]; do sleep 0.5; done
t2=$(now_us) c2=$(cpu_ticks)
nj=$(notify_json)
runs=$(( $(echo "$nj" | jq .handlers.runs) - runs0 ))
left=$(echo "$nj" | jq '.handlers.queued + .handlers.running')
hwm=$(kib VmHWM)
rss2=$(kib VmRSS)
# VmHWM lags behind VmRSS (the kernel syncs per-thread counters lazily)
for v in "$rss1" "$rss2"; do [ "$v" -le "$hwm" ] || hwm=$v; done
mails=$(( $(find "$T/box" -name '*.eml' | wc -l) - mails0 ))
figure "burst: events herdd took in" "$nev" ev
figure "burst: events/s herdd takes in (disable/enable)" "$(( nev * 1000000 / us ))" ev/s
figure "herdd RSS before the burst" "$rss0" KiB
figure "herdd RSS right after the burst ($queued runs queued)" "$rss1" KiB
figure "herdd peak RSS over the burst" "$hwm" KiB 32768
figure "handler runs/s, burst start to +$(( (t2 - t0) / 1000000 )) s" "$(( runs * 1000000 / (t2 - t0 + 1) ))" runs/s
figure "herdd's CPU while the runs drain (% of one CPU)" \
	"$(( (c2 - c1) * 100000000 / $(getconf CLK_TCK) / (t2 - t1 + 1) ))" %
figure "handler runs dropped (queue full)" "$(echo "$nj" | jq .handlers.dropped)" runs
figure "mails that carried the burst" "$mails" mails
figure "mails still spooled" "$(echo "$nj" | jq .mail.queued)" mails
if [ "$left" -eq 0 ]; then
	figure "herdd RSS once every run and mail is done" "$rss2" KiB
else
	figure "handler runs still to do after $(( (t2 - t0) / 1000000 )) s" "$left" runs
	figure "herdd RSS then" "$rss2" KiB
fi
t3=$(now_us)
single_stop
figure "herdd stop (SIGTERM to exit) with $left runs queued" "$(( ($(now_us) - t3) / 1000 ))" ms
exit $status
