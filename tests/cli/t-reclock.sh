#!/usr/bin/env bash
# tests/cli/t-reclock.sh — herd-reclock, the recovery lock helper, against
# its contract (herd(7), "RECOVERY LOCK"): status characters, contention,
# the lease (a pinger that stops loses the lock within LEASE_MS), stdin EOF,
# SIGTERM, a removed or replaced lock file, a parent that dies, bad usage.
#
# Each helper runs with stdin and stdout on fifos that this script holds
# open: writing to NAME's in-fd is a ping, its out-fd carries the status
# and the answers. Only the PIDs started here are killed; the temp dir goes.
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

HELPER=$HERD_BUILD/herd-reclock
[ -x "$HELPER" ] || fail "build $HELPER first (make)"

T=$(mktemp -d /tmp/herd-reclock.XXXXXX)
cleanup_add "rm -rf '$T'"
PIDS=()
kill_started() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
}
cleanup_add kill_started
LOCK=$T/lock
# A ping to a helper that is gone must fail the check, not kill the script.
trap '' PIPE

# start NAME LOCKFILE LEASE_MS: sets NAME_pid, NAME_in, NAME_out.
start() {
	local name=$1 fin fout
	shift
	mkfifo "$T/$name.in" "$T/$name.out"
	"$HELPER" "$@" <"$T/$name.in" >"$T/$name.out" 2>"$T/$name.err" &
	PIDS+=($!)
	printf -v "${name}_pid" %s $!
	exec {fin}>"$T/$name.in" {fout}<"$T/$name.out"
	printf -v "${name}_in" %s "$fin"
	printf -v "${name}_out" %s "$fout"
}

# getc NAME [SECS]: one character from NAME's stdout into C ("EOF" at end,
# "TIMEOUT" when nothing came).
C=
getc() {
	local fd=${1}_out rc
	IFS= read -r -N1 -t "${2:-5}" -u "${!fd}" C
	rc=$?
	if [ $rc -gt 128 ]; then C=TIMEOUT; elif [ $rc -ne 0 ]; then C=EOF; fi
}

ping_once() { # NAME: one ping, expect one answer
	local fd=${1}_in
	printf . >&"${!fd}" || fail "$1: cannot ping (helper gone?)"
	getc "$1"
	[ "$C" = . ] || fail "$1: ping answered with '$C'"
}

close_in() { local v=${1}_in; eval "exec ${!v}>&-"; }

rc_of() { # NAME: wait for it, exit code into RC
	local p=${1}_pid
	wait "${!p}"
	RC=$?
}

ms_now() { echo $(($(date +%s%N) / 1000000)); }

# gone PID: no such process, or a zombie (when no one reaps orphans here)
gone() { [ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

# --- bad usage: '3' and a message -----------------------------------------
for args in "" "$LOCK" "$LOCK 0" "$LOCK abc" "$LOCK 99999999999" "$LOCK 500 extra" "$T/no/such/dir/lock 500"; do
	out=$("$HELPER" $args 2>"$T/usage.err")
	rc=$?
	expect_eq "$out/$rc" "3/3" "usage '$args': status 3, exit 3"
	[ -s "$T/usage.err" ] || fail "usage '$args': no message on stderr"
done
expect_match "$(cat "$T/usage.err")" "no/such/dir/lock: No such file or directory" "error names the file"
[ ! -e "$LOCK" ] || fail "bad usage created the lock file"

# --- two helpers on one file --------------------------------------------
start a "$LOCK" 1000
getc a
expect_eq "$C" 0 "first helper takes the lock"
start b "$LOCK" 500
getc b
expect_eq "$C" 1 "second helper: contended"
getc b 2
expect_eq "$C" EOF "contended helper closes stdout"
rc_of b
expect_eq "$RC" 1 "contended helper exits 1"

# --- the lease: pings keep it, silence loses it -----------------------------
t0=$(ms_now)
while [ $(($(ms_now) - t0)) -lt 2500 ]; do # two and a half leases
	tlast=$(ms_now)
	ping_once a
	sleep 0.1
done
kill -0 "$a_pid" || fail "helper let go while being pinged"
ok "pings every 100 ms keep a 1000 ms lease for 2.5 s"
start b2 "$LOCK" 500
getc b2
expect_eq "$C" 1 "still contended while pinged"
rc_of b2

# no more pings, stdin stays open (herdd stopped)
getc a 5
t1=$(ms_now)
expect_eq "$C" E "silent pinger: helper reports the lease expired"
waited=$((t1 - tlast))
[ $waited -ge 990 ] || fail "lease released ${waited} ms after the last ping, before LEASE_MS"
ok "released ${waited} ms after the last ping (lease 1000 ms)"
rc_of a
expect_eq "$RC" 4 "expired helper exits 4"
[ -e "$LOCK" ] || fail "the lock file was unlinked on release"
start c "$LOCK" 500
getc c
expect_eq "$C" 0 "another helper takes the lock after the lease"

# --- stdin EOF: released at once ----------------------------------------
close_in c
getc c 2
expect_eq "$C" EOF "stdin EOF: helper exits without a status"
rc_of c
expect_eq "$RC" 0 "stdin EOF: exit 0"
start d "$LOCK" 5000
getc d
expect_eq "$C" 0 "lock free right after stdin EOF"

# --- SIGTERM -------------------------------------------------------------
kill -TERM "$d_pid"
rc_of d
expect_eq "$RC" 0 "SIGTERM: exit 0"
start e "$LOCK" 5000
getc e
expect_eq "$C" 0 "lock free after SIGTERM"
kill -TERM "$e_pid"; rc_of e

# --- the lock file removed or replaced: lost --------------------------------
start f "$LOCK" 400
getc f
expect_eq "$C" 0 "helper f holds"
rm -f "$LOCK"
getc f 3
expect_eq "$C" L "lock file removed: helper reports L"
rc_of f
expect_eq "$RC" 5 "lock lost: exit 5"
expect_match "$(cat "$T/f.err")" "removed or replaced" "lost lock explained on stderr"
[ ! -e "$LOCK" ] || fail "the helper recreated the lock file"

start g "$LOCK" 400
getc g
expect_eq "$C" 0 "helper g holds a new file"
: >"$T/other"
mv "$T/other" "$LOCK"
getc g 3
expect_eq "$C" L "lock file replaced: helper reports L"
rc_of g
expect_eq "$RC" 5 "replaced: exit 5"

# --- the parent dies: the helper goes with it ---------------------------------
# A python subreaper runs a wrapper that starts the helper, kills the
# wrapper and reaps the orphaned helper itself (so nothing is left for a
# PID 1 that may not reap). Its stdin stays open: only the parent is gone.
cat >"$T/orphan.py" <<'PY'
import ctypes, os, signal, sys, time
helper, lock = sys.argv[1], sys.argv[2]
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
r_in, w_in = os.pipe()
r_out, w_out = os.pipe()
r_pid, w_pid = os.pipe()
wrapper = os.fork()
if wrapper == 0:
    pid = os.fork()
    if pid == 0:
        os.dup2(r_in, 0)
        os.dup2(w_out, 1)
        os.execv(helper, [helper, lock, "60000"])
    os.write(w_pid, b"%d\n" % pid)
    while True:
        time.sleep(60)
os.close(r_in)
os.close(w_out)
hpid = int(os.read(r_pid, 32))
status = os.read(r_out, 1)
print("status", status.decode())
os.kill(wrapper, signal.SIGKILL)
os.waitpid(wrapper, 0)
for _ in range(500):
    pid, st = os.waitpid(hpid, os.WNOHANG)
    if pid:
        print("exited", os.waitstatus_to_exitcode(st))
        sys.exit(0)
    time.sleep(0.01)
os.kill(hpid, signal.SIGKILL)
os.waitpid(hpid, 0)
print("still running 5 s after its parent died")
sys.exit(1)
PY
out=$(timeout 20 /usr/bin/python3 "$T/orphan.py" "$HELPER" "$LOCK")
rc=$?
[ $rc -eq 0 ] || fail "orphaned helper: $out"
expect_match "$out" "^status 0" "helper under a wrapper holds"
expect_match "$out" "exited (0|6)$" "helper exits when its parent dies (stdin still open)"
start i "$LOCK" 500
getc i
expect_eq "$C" 0 "lock free after the parent died"
close_in i
rc_of i

echo "all recovery lock helper checks passed"
