# tests/notify/mail-lib.sh — helpers for the mail tests (t-mail*.sh). Source it.
#
# Fails without $HERD_BUILD/tests/mail-driver (make tests); skips (exit 77) without
# Debian's python3-aiosmtpd under /usr/bin/python3.
#
#   smtpd_start NAME PORT [ARGS]  start tests/notify/smtpd.py storing in $T/NAME
#                                 (PORT 0: any free one); waits until it listens
#   smtpd_stop NAME               kill it (the "server down")
#   smtpd_port NAME               its port
#   free_port                     a port nothing listens on (for a server that
#                                 is down from the start)
#   driver OUT ARGS...            run mail-driver, stdout to $T/OUT (status JSON
#                                 last), stderr to $T/OUT.err; returns its status
#   driver_bg OUT ARGS...         the same in the background; pid in $DRIVER_PID
#   jget OUT KEY                  a key of the status JSON in $T/OUT
#   mailcheck NAME ARGS...        tests/notify/mailcheck.py on $T/NAME
#   spooled DIR                   messages in a spool (failed/ not counted)
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

PY=/usr/bin/python3
DRIVER=$HERD_BUILD/tests/mail-driver
[ -x "$DRIVER" ] || fail "no $DRIVER: build it first (make tests)"
[ -x $PY ] && $PY -c 'import aiosmtpd' 2>/dev/null || skip "python3-aiosmtpd is not installed"

T=$(mktemp -d /tmp/herd-mail.XXXXXX)
cleanup_add "rm -rf '$T'"
_smtpd_pids=()
cleanup_add '_smtpd_kill_all'
_smtpd_kill_all() {
	local p
	for p in "${_smtpd_pids[@]}"; do kill "$p" 2>/dev/null; done
	[ -z "${DRIVER_PID:-}" ] || kill "$DRIVER_PID" 2>/dev/null
	return 0
}

smtpd_start() { # NAME PORT [ARGS]
	local name=$1 port=$2
	shift 2
	rm -f "$T/$name.port"
	$PY "$HERD_TOP/tests/notify/smtpd.py" --dir "$T/$name" --port "$port" \
		--port-file "$T/$name.port" "$@" >>"$T/$name.log" 2>&1 &
	echo $! >"$T/$name.pid"
	_smtpd_pids+=("$!")
	wait_until 10 test -s "$T/$name.port" || fail "smtpd $name did not start: $(cat "$T/$name.log")"
}

smtpd_stop() { # NAME
	local pid
	pid=$(cat "$T/$1.pid")
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

smtpd_port() { cat "$T/$1.port"; }

free_port() {
	$PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

driver() { # OUT ARGS...
	local out=$1
	shift
	"$DRIVER" "$@" >"$T/$out" 2>"$T/$out.err"
}

driver_bg() { # OUT ARGS...
	local out=$1
	shift
	"$DRIVER" "$@" >"$T/$out" 2>"$T/$out.err" &
	DRIVER_PID=$!
}

jget() { # OUT KEY
	tail -n 1 "$T/$1" | $PY -c 'import json, sys; v = json.load(sys.stdin)[sys.argv[1]]; print("" if v is None else v)' "$2"
}

mailcheck() { # NAME ARGS...
	local name=$1
	shift
	$PY "$HERD_TOP/tests/notify/mailcheck.py" "$T/$name" "$@"
}

spooled() { # DIR
	find "$1" -maxdepth 1 -name '*.msg' | wc -l
}
