# tests/cli/lib.sh — one herdd on this machine, for herdd/herdctl tests.
#
# herdd runs in a network namespace of its own (unshare -n, only lo), with a
# config directory in a temp dir whose nodes file lists 127.0.0.1, so it can
# tell it is node 0 and never touches the host's network.
#
#   single_setup        make $T (temp dir, removed at exit) with $T/etc
#   single_start        start herdd -d, wait until it answers; $HERDD_PID
#   single_stop         SIGTERM herdd, wait for it to exit; $HERDD_RC
#   hctl ARGS...        herdctl -c $T/etc ARGS...
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
[ -x "$HERDD" ] && [ -x "$HERDCTL" ] || fail "build herdd and herdctl first (make)"

HERDD_PID=
HERDD_RC=

single_setup() {
	T=$(mktemp -d /tmp/herd-cli.XXXXXX)
	chmod 755 "$T"
	cleanup_add "rm -rf '$T'"
	cleanup_add 'single_kill'
	mkdir -p "$T/etc"
	cat >"$T/etc/herd.conf" <<CONF
[cluster]
name = cli
[paths]
run dir = $T/run
state dir = $T/state
[logging]
level = info
[mail]
enabled = no
CONF
	echo 127.0.0.1 >"$T/etc/nodes"
	SOCK=$T/run/herdd.sock
}

single_start() {
	unshare -n sh -c 'ip link set lo up && exec "$@"' herdd \
		"$HERDD" -d -c "$T/etc" "$@" >>"$T/herdd.log" 2>&1 &
	HERDD_PID=$!
	wait_until 10 "$HERDCTL" -s "$SOCK" ping ||
		{ cat "$T/herdd.log" >&2; fail "herdd did not answer within 10 s"; }
}

single_stop() {
	kill -TERM "$HERDD_PID" 2>/dev/null
	wait "$HERDD_PID"
	HERDD_RC=$?
	HERDD_PID=
}

single_kill() {
	[ -n "$HERDD_PID" ] || return 0
	kill -KILL "$HERDD_PID" 2>/dev/null
	wait "$HERDD_PID" 2>/dev/null
	HERDD_PID=
}

hctl() { "$HERDCTL" -c "$T/etc" "$@"; }
