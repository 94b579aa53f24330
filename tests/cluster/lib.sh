# tests/cluster/lib.sh — the network-namespace cluster harness (bash).
#
# Every cluster test (tests/cluster/t-*.sh) and `make demo` use this file.
# It builds an N-node herd cluster out of network namespaces, runs one herdd
# per node, and removes everything it made on every exit path.
#
#   . tests/cluster/lib.sh        # from the repo top, or any path to this file
#   cluster_check || exit $?      # 77 (skip) when not root / no netns support
#   cluster_trap                  # teardown on EXIT, INT and TERM
#   cluster_up 3 || exit 1
#   node_herdctl 0 status
#
# Topology. A "switch" namespace holds one bridge per private link (br0,
# br1, ...) and a public bridge (brpub). Each node K (K = pnn, from 0) is a
# namespace with lo, priv0 [priv1 ...] and pub0; each client namespace has
# pub0. Every veth is created from inside the switch namespace with its peer
# put straight into the node, so nothing ever appears in the root namespace:
# the root namespace gets no interface, no address and no route. Switch-side
# ports are named nKlL (node K, private link L), nKp (node K, public) and cI
# (client I); faults are applied there, so a node sees them as a real switch
# fault (carrier loss, dropped frames).
#
# Address plan (exists only inside the namespaces):
#   private link L, node K   10.91.L.(10+K)/24   on priv<L> (nodes file)
#   public base, node K      10.92.0.(10+K)/24   on pub0
#   floating public IPs      10.92.0.100 - 10.92.0.199 (for the tests' use)
#   client I                 10.92.0.(200+I)/24  on pub0
# With CLUSTER_IPV6=1 also (no DAD; the nodes file stays IPv4):
#   private link L, node K   fd91:L::(10+K)/64 (hex digits as written)
#   public base, node K      fd92::(10+K)/64;  floating fd92::100 - fd92::199
#   client I                 fd92::(200+I)/64
# N is limited to 1..64, CLUSTER_LINKS to 1..4, CLUSTER_CLIENT to 0..9.
#
# Names: namespaces are herd-TAG-sw, herd-TAG-nK, herd-TAG-cI where TAG is
# this shell's pid in hex (a random tag if that is taken), so parallel runs
# never collide and every name is at most 15 characters.
#
# Files: CLUSTER_DIR (a fresh mktemp dir, removed by cluster_down) holds
#   nK/etc/{herd.conf,nodes,public_addresses}   the node's config dir (-c)
#   nK/run, nK/state                            [paths] run dir / state dir
#   nK/herdd.log                                herdd's stdout+stderr (appended
#                                               on every start)
#   shared/                                     "shared storage" for all nodes
#                                               (e.g. the recovery lock)
#
# Variables read by cluster_up (set them before calling it):
#   HERD_BUILD            dir with herdd and herdctl (default: $top/build,
#                         where $top is the repo this file lives in)
#   CLUSTER_LINKS         private links per node (default 1); with 2 the
#                         nodes file lists "addr1,addr2" per line
#   CLUSTER_CLIENT        number of client namespaces on the public net
#                         (default 1; 0 = none)
#   CLUSTER_IPV6=1        add the IPv6 addresses above (default: IPv4 only)
#   CLUSTER_CONF_EXTRA    herd.conf lines merged into every node's config,
#                         "\n" allowed: "[membership]\nkeepalive interval = 100ms".
#                         Merged by section: a key already written by the
#                         harness is replaced, others are added to their
#                         section, new sections go at the end.
#   CLUSTER_CONF_EXTRA_K  the same, for node K only (applied after the above)
#   CLUSTER_PUBLIC_ADDRESSES    lines of every node's public_addresses file
#                         (default: empty file), e.g. "10.92.0.101/24 pub0"
#   CLUSTER_PUBLIC_ADDRESSES_K  node K's file instead of the common one
#     In the four above, @DIR@ is replaced by CLUSTER_DIR, @SHARED@ by
#     CLUSTER_DIR/shared, @NODE@ by the node number and @NODEDIR@ by its dir:
#     CLUSTER_CONF_EXTRA="[cluster]\nrecovery lock = @SHARED@/reclock"
#   CLUSTER_SETUP_HOOK    a command run as `HOOK K NODEDIR` after node K's
#                         config is written, before its herdd starts
#   CLUSTER_HERDD_PREFIX  words put before herdd (e.g. "valgrind -q")
#   CLUSTER_START_TIMEOUT seconds cluster_up/node_start wait for status (15)
#   CLUSTER_STOP_TIMEOUT  seconds between SIGTERM and SIGKILL (5)
#   CLUSTER_TMPDIR        parent of CLUSTER_DIR (default ${TMPDIR:-/tmp})
#   CLUSTER_KEEP=1        cluster_down keeps CLUSTER_DIR (logs) and says where
#   CLUSTER_ON_EXIT       a command the cluster_trap handler runs before
#                         cluster_down (after the log tails of a failing exit)
#   CLUSTER_LOG_TAIL      lines of each herdd.log shown on a failing exit (15)
#   CLUSTER_QUIET=1       no "cluster:" progress messages
#
# Variables set by cluster_up: CLUSTER_DIR, CLUSTER_N (node count),
#   CLUSTER_SHARED (= CLUSTER_DIR/shared), CLUSTER_TAG.
#
# Functions (K is a node number, 0..CLUSTER_N-1; L a private link number):
#   cluster_check            0 if clusters can run here; else prints
#                            "SKIP: why" and returns 77 (or 1 when the
#                            binaries are missing)
#   cluster_up N             build the network, write configs, start herdd
#                            everywhere, wait until every node answers
#                            `herdctl status`; 1 on failure (log tails printed)
#   cluster_down             stop every herdd it started (SIGTERM, SIGKILL
#                            after CLUSTER_STOP_TIMEOUT), kill what is left in
#                            its namespaces, delete the namespaces, remove
#                            CLUSTER_DIR. Idempotent. Non-zero when a herdd
#                            exited non-zero / needed SIGKILL / left processes.
#   cluster_trap             install the EXIT (and INT/TERM/HUP/PIPE/QUIT)
#                            traps calling cluster_down (call it before
#                            cluster_up)
#   cluster_nodes            print 0 1 ... N-1 (for k in $(cluster_nodes))
#   cluster_wait_status [T]  wait up to T s (default CLUSTER_START_TIMEOUT)
#                            until every running node answers status
#   cluster_wait_until T CMD...  run CMD every 0.2 s until it succeeds;
#                            1 after T seconds (T may be fractional)
#   cluster_conf_set SECTION KEY VALUE   set a key in every node's herd.conf
#   cluster_partition "K K.." "K K.." ...  drop all private-link traffic
#                            between the groups (nodes not named form their
#                            own group); cluster_heal undoes it
#   cluster_stale            list herd-* namespaces of runs no longer alive
#   node_ns K                the node's namespace name
#   node_dir K               $CLUSTER_DIR/nK (etc/, run/, state/, herdd.log)
#   node_etc K               the node's config dir (what -c gets)
#   node_log K               path of its herdd.log
#   node_addr K [L]          private address on link L (default 0)
#   node_public_addr K       base address on pub0
#   node_addr6 K [L] / node_public_addr6 K / client_addr6 [I]   the IPv6 ones
#   node_exec K CMD...       run CMD in the node's namespace
#   node_herdctl K ARGS...   herdctl -c node_etc K ARGS, in the namespace
#   node_conf_set K SECTION KEY VALUE   set a key in node K's herd.conf
#   node_pid K               herdd's pid (empty + status 1 if not running)
#   node_running K           status 0 while herdd runs
#   node_start K [--no-wait] start herdd (waits for status unless --no-wait)
#   node_stop K              SIGTERM, wait, SIGKILL; 0 when herdd exited 0
#                            on SIGTERM, 1 otherwise (status is printed)
#   node_restart K           node_stop + node_start
#   node_kill K [SIG]        send SIG (default KILL); for KILL waits and reaps
#   node_crash K             power loss: the node's floating public addresses
#                            (10.92.0.1xx, fd92::1xx) vanish, herdd is SIGKILLed
#   node_pause K / node_resume K   SIGSTOP / SIGCONT
#   node_link_down K [L|all] / node_link_up K [L|all]   private link(s) down
#                            or up on the switch side (node sees no carrier)
#   node_public_link_down K / node_public_link_up K
#   node_loss K PCT [L|pub]  drop PCT% of frames to and from the node on that
#                            link (0 clears); nftables in the switch namespace,
#                            else tc netem; 77 when neither works
#   node_delay K MS [L|pub]  add MS ms delay on the switch side (tc netem
#                            only; 0 clears); 77 when netem is missing
#   client_ns [I]            client I's namespace (default 0)
#   client_addr [I]          client I's address
#   client_exec CMD...       run CMD in client 0's namespace
#   client_exec_i I CMD...   run CMD in client I's namespace
#   node_bg K CMD... / client_bg I CMD...   start CMD in the background in
#                            that namespace (output: append redirections to
#                            the call); its pid goes to CLUSTER_BG_PID and
#                            cluster_down ends it quietly (TERM, then KILL)
#   bg_stop PID              end one of those now
#
# Messages go to stderr as "cluster: ...". The library works under set -u,
# set -e and pipefail. Internal names start with _cl. Call the functions that
# start, stop or signal herdd from the shell that ran cluster_up (not from a
# subshell or $(...)): only that shell can reap herdd and see its exit status.

# Refuse to be run instead of sourced.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	echo "lib.sh: source this file: . tests/cluster/lib.sh" >&2
	exit 2
fi

_cl_libdir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
_cl_top=$(cd "$_cl_libdir/../.." && pwd)

: "${HERD_BUILD:=$_cl_top/build}"
: "${CLUSTER_LINKS:=1}"
: "${CLUSTER_CLIENT:=1}"
: "${CLUSTER_CONF_EXTRA:=}"
: "${CLUSTER_PUBLIC_ADDRESSES:=}"
: "${CLUSTER_START_TIMEOUT:=15}"
: "${CLUSTER_STOP_TIMEOUT:=5}"

# Internal state (kept when the file is sourced again). _cl_ns: every
# namespace this run created, switch first. _cl_pid[K] / _cl_pstart[K]:
# herdd's pid and its start time (field 22 of /proc/PID/stat), so a
# recycled pid is never signalled. _cl_exit[K]: exit status of a reaped one.
if [ -z "${_cl_loaded:-}" ]; then
	_cl_loaded=1
	CLUSTER_DIR=
	CLUSTER_N=0
	CLUSTER_TAG=
	CLUSTER_SHARED=
	declare -ga _cl_ns=() _cl_pid=() _cl_pstart=()
	declare -gA _cl_exit=()
	_cl_sw=
	_cl_links=1
	_cl_clients=0
	_cl_bg=()
	_cl_ipv6=
	_cl_dir_made=
	_cl_trapped=
	_cl_in_down=
	_cl_left=
fi
# Tests of the harness itself set _CL_STANDIN=1 (or HERD_CLUSTER_STANDIN=1):
# the "daemon" is a sleep and "status" checks that it is alive.
_CL_STANDIN=${_CL_STANDIN:-${HERD_CLUSTER_STANDIN:-}}

_cl_say() { [ -n "${CLUSTER_QUIET:-}" ] || echo "cluster: $*" >&2; }
_cl_err() { echo "cluster: error: $*" >&2; }

_cl_now_us() { local t=${EPOCHREALTIME/./}; echo "${t#0}"; }

# Seconds (possibly fractional: 2.5) to microseconds.
_cl_secs_us() {
	local s=$1 int frac
	int=${s%%.*}; frac=
	[ "$int" != "$s" ] && frac=${s#*.}
	frac=${frac}000000; frac=${frac:0:6}
	echo $(( 10#${int:-0} * 1000000 + 10#$frac ))
}

_cl_isnum() { [[ $1 =~ ^[0-9]+$ ]]; }

_cl_need_up() {
	if [ -z "$_cl_sw" ]; then
		_cl_err "${FUNCNAME[1]}: no cluster is up"
		return 1
	fi
}

_cl_node_ok() { # K
	_cl_need_up || return 1
	if ! _cl_isnum "${1:-}" || [ "$1" -ge "$CLUSTER_N" ]; then
		_cl_err "${FUNCNAME[1]}: no node '${1:-}' (nodes are 0..$((CLUSTER_N - 1)))"
		return 1
	fi
}

_cl_link_ok() { # L
	if ! _cl_isnum "${1:-}" || [ "$1" -ge "$_cl_links" ]; then
		_cl_err "${FUNCNAME[1]}: no private link '${1:-}' (links are 0..$((_cl_links - 1)))"
		return 1
	fi
}

# --- names and paths ---------------------------------------------------------

node_ns() { _cl_node_ok "${1:-}" || return 1; echo "herd-$CLUSTER_TAG-n$1"; }
node_dir() { _cl_node_ok "${1:-}" || return 1; echo "$CLUSTER_DIR/n$1"; }
node_etc() { _cl_node_ok "${1:-}" || return 1; echo "$CLUSTER_DIR/n$1/etc"; }
node_log() { _cl_node_ok "${1:-}" || return 1; echo "$CLUSTER_DIR/n$1/herdd.log"; }
node_addr() {
	_cl_node_ok "${1:-}" || return 1
	_cl_link_ok "${2:-0}" || return 1
	echo "10.91.${2:-0}.$((10 + $1))"
}
node_public_addr() { _cl_node_ok "${1:-}" || return 1; echo "10.92.0.$((10 + $1))"; }
node_addr6() {
	_cl_node_ok "${1:-}" || return 1
	_cl_link_ok "${2:-0}" || return 1
	echo "fd91:${2:-0}::$((10 + $1))"
}
node_public_addr6() { _cl_node_ok "${1:-}" || return 1; echo "fd92::$((10 + $1))"; }
cluster_nodes() { local k; for ((k = 0; k < CLUSTER_N; k++)); do echo "$k"; done; }

_cl_client_ok() { # I
	_cl_need_up || return 1
	if ! _cl_isnum "${1:-}" || [ "$1" -ge "$_cl_clients" ]; then
		_cl_err "${FUNCNAME[1]}: no client '${1:-}' (CLUSTER_CLIENT=$_cl_clients)"
		return 1
	fi
}
client_ns() { _cl_client_ok "${1:-0}" || return 1; echo "herd-$CLUSTER_TAG-c${1:-0}"; }
client_addr() { _cl_client_ok "${1:-0}" || return 1; echo "10.92.0.$((200 + ${1:-0}))"; }
client_addr6() { _cl_client_ok "${1:-0}" || return 1; echo "fd92::$((200 + ${1:-0}))"; }

# --- running things in namespaces ---------------------------------------------

node_exec() { # K CMD...
	local ns; ns=$(node_ns "${1:-}") || return 1
	shift
	ip netns exec "$ns" "$@"
}

node_herdctl() { # K ARGS...
	local ns etc; ns=$(node_ns "${1:-}") || return 1
	etc=$CLUSTER_DIR/n$1/etc
	shift
	ip netns exec "$ns" "$HERD_BUILD/herdctl" -c "$etc" "$@"
}

client_exec_i() { # I CMD...
	local ns; ns=$(client_ns "${1:-}") || return 1
	shift
	ip netns exec "$ns" "$@"
}
client_exec() { client_exec_i 0 "$@"; }

# Background commands: `ip netns exec` execs CMD, so $! is CMD itself.
node_bg() { # K CMD...
	local ns; ns=$(node_ns "${1:-}") || return 1
	shift
	ip netns exec "$ns" "$@" &
	CLUSTER_BG_PID=$!
	_cl_bg+=("$CLUSTER_BG_PID")
}
client_bg() { # I CMD...
	local ns; ns=$(client_ns "${1:-}") || return 1
	shift
	ip netns exec "$ns" "$@" &
	CLUSTER_BG_PID=$!
	_cl_bg+=("$CLUSTER_BG_PID")
}
bg_stop() { # PID
	local i p=$1
	kill -s TERM "$p" 2>/dev/null || return 0
	for ((i = 0; i < 20; i++)); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.05
	done
	kill -s KILL "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
}

# --- process bookkeeping ------------------------------------------------------

# Print "STATE STARTTIME" of a pid, or fail when it does not exist.
_cl_procstat() {
	local st='' rest fields
	{ read -r st <"/proc/$1/stat"; } 2>/dev/null || return 1
	[ -n "$st" ] || return 1
	rest=${st##*) }
	read -ra fields <<<"$rest"
	echo "${fields[0]} ${fields[19]}"
}

# Status 0 when the recorded herdd of node K is alive (not a zombie, same
# start time). A dead one is reaped and forgotten; its exit status is kept
# in _cl_exit[K] (when this shell is its parent; "unknown" otherwise).
_cl_alive() { # K
	local k=$1 pid=${_cl_pid[$1]:-} ps state start rc
	[ -n "$pid" ] || return 1
	if ps=$(_cl_procstat "$pid"); then
		state=${ps% *} start=${ps#* }
		if [ "$start" = "${_cl_pstart[$k]}" ] && [ "$state" != Z ] && [ "$state" != X ]; then
			return 0
		fi
		[ "$start" = "${_cl_pstart[$k]}" ] || { _cl_pid[k]=; return 1; }
	fi
	# Dead (or a zombie): reap it if it is our child.
	rc=0
	{ wait "$pid"; } 2>/dev/null || rc=$?
	[ "$rc" -eq 127 ] && rc=unknown
	_cl_exit[$k]=$rc
	_cl_pid[k]=
	return 1
}

node_pid() { # K
	_cl_node_ok "${1:-}" || return 1
	_cl_alive "$1" || return 1
	echo "${_cl_pid[$1]}"
}
node_running() { _cl_node_ok "${1:-}" || return 1; _cl_alive "$1"; }

# Send a signal to node K's herdd if it is the process we started.
_cl_signal() { # K SIG
	_cl_alive "$1" || return 1
	kill -s "$2" "${_cl_pid[$1]}" 2>/dev/null
}

# Start node K's daemon in the background; no waiting.
_cl_spawn() { # K
	local k=$1 ns d ps prefix=()
	ns=herd-$CLUSTER_TAG-n$k
	d=$CLUSTER_DIR/n$k
	mkdir -p "$d/run" "$d/state"
	[ -n "${CLUSTER_HERDD_PREFIX:-}" ] && read -ra prefix <<<"$CLUSTER_HERDD_PREFIX"
	echo "=== cluster: herdd started $(date '+%F %T.%N')" >>"$d/herdd.log"
	if [ -n "$_CL_STANDIN" ]; then
		(cd "$d" && exec ip netns exec "$ns" sleep 100000) >>"$d/herdd.log" 2>&1 </dev/null &
	else
		(cd "$d" && exec ip netns exec "$ns" "${prefix[@]}" "$HERD_BUILD/herdd" -d -c "$d/etc") \
			>>"$d/herdd.log" 2>&1 </dev/null &
	fi
	_cl_pid[k]=$!
	_cl_pstart[k]=
	if ps=$(_cl_procstat "$!"); then
		_cl_pstart[k]=${ps#* }
	fi
	unset "_cl_exit[$k]"
	_cl_say "n$k: herdd started, pid $! (log $d/herdd.log)"
}

_cl_status_ok() { # K
	if [ -n "$_CL_STANDIN" ]; then
		_cl_alive "$1"
		return
	fi
	timeout -k 1 5 ip netns exec "herd-$CLUSTER_TAG-n$1" \
		"$HERD_BUILD/herdctl" -c "$CLUSTER_DIR/n$1/etc" status >/dev/null 2>&1
}

_cl_log_tail() { # K [LINES]
	local log=$CLUSTER_DIR/n$1/herdd.log
	echo "cluster: ---- last ${2:-20} lines of n$1's herdd.log ----" >&2
	if [ -s "$log" ]; then tail -n "${2:-20}" "$log" | sed 's/^/cluster:   | /' >&2
	else echo "cluster:   (empty)" >&2; fi
}

# Wait until each node K... answers status; 1 on timeout or when a herdd dies.
_cl_wait_nodes() { # TIMEOUT K...
	local t=$1; shift
	local pending=("$@") still k start deadline now last=-1 el
	start=$(_cl_now_us)
	deadline=$((start + $(_cl_secs_us "$t")))
	while :; do
		still=()
		for k in "${pending[@]}"; do
			if ! _cl_alive "$k"; then
				_cl_err "n$k: herdd is not running (exit status ${_cl_exit[$k]:-?})"
				_cl_log_tail "$k"
				return 1
			fi
			_cl_status_ok "$k" || still+=("$k")
		done
		pending=("${still[@]}")
		now=$(_cl_now_us)
		el=$(( (now - start) / 1000000 ))
		if [ ${#pending[@]} -eq 0 ]; then
			_cl_say "all nodes answer status (after ${el}s)"
			return 0
		fi
		if [ "$now" -ge "$deadline" ]; then
			_cl_err "no status answer within ${t}s from: ${pending[*]/#/n}"
			for k in "${pending[@]}"; do _cl_log_tail "$k"; done
			return 1
		fi
		if [ "$el" -ne "$last" ]; then
			_cl_say "waiting for status from ${pending[*]/#/n} (${el}s/${t}s)"
			last=$el
		fi
		sleep 0.2
	done
}

cluster_wait_status() { # [TIMEOUT]
	_cl_need_up || return 1
	local k nodes=()
	for ((k = 0; k < CLUSTER_N; k++)); do
		_cl_alive "$k" && nodes+=("$k")
	done
	[ ${#nodes[@]} -gt 0 ] || { _cl_err "cluster_wait_status: no herdd is running"; return 1; }
	_cl_wait_nodes "${1:-$CLUSTER_START_TIMEOUT}" "${nodes[@]}"
}

cluster_wait_until() { # TIMEOUT CMD...
	local t=$1 deadline; shift
	deadline=$(( $(_cl_now_us) + $(_cl_secs_us "$t") ))
	while :; do
		"$@" && return 0
		[ "$(_cl_now_us)" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}

node_start() { # K [--no-wait]
	_cl_node_ok "${1:-}" || return 1
	if _cl_alive "$1"; then
		_cl_err "node_start: herdd on n$1 is already running (pid ${_cl_pid[$1]})"
		return 1
	fi
	_cl_spawn "$1"
	[ "${2:-}" = --no-wait ] && return 0
	_cl_wait_nodes "$CLUSTER_START_TIMEOUT" "$1"
}

# Wait (bounded) for the herdd of each node K... to be gone (and reaped:
# not in a subshell). Sets _cl_left to the nodes still alive at the end.
_cl_wait_gone() { # TIMEOUT K...
	local t=$1; shift
	local deadline k left
	deadline=$(( $(_cl_now_us) + $(_cl_secs_us "$t") ))
	while :; do
		left=()
		for k in "$@"; do
			if _cl_alive "$k"; then left+=("$k"); fi
		done
		_cl_left=${left[*]}
		[ ${#left[@]} -gt 0 ] || return 0
		[ "$(_cl_now_us)" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

# Stop the herdd of the given nodes together: SIGCONT (a paused one cannot
# act on SIGTERM), SIGTERM, then SIGKILL after CLUSTER_STOP_TIMEOUT.
# Returns 0 when every one exited 0 on SIGTERM.
_cl_stop_nodes() { # K...
	local k rc=0 left running=() st
	for k in "$@"; do
		if _cl_alive "$k"; then
			running+=("$k")
			kill -s CONT "${_cl_pid[$k]}" 2>/dev/null || true
			kill -s TERM "${_cl_pid[$k]}" 2>/dev/null || true
		fi
	done
	[ ${#running[@]} -gt 0 ] || return 0
	if ! _cl_wait_gone "$CLUSTER_STOP_TIMEOUT" "${running[@]}"; then
		left=$_cl_left
		for k in $left; do
			_cl_err "n$k: herdd (pid ${_cl_pid[$k]}) ignored SIGTERM for ${CLUSTER_STOP_TIMEOUT}s: SIGKILL"
			_cl_signal "$k" KILL || true
		done
		# shellcheck disable=SC2086
		_cl_wait_gone 5 $left 2>/dev/null || _cl_err "herdd of n${_cl_left// / n} survives SIGKILL?"
		rc=1
	fi
	for k in "${running[@]}"; do
		st=${_cl_exit[$k]:-}
		# The stand-in (sleep) dies of SIGTERM: 143 is its clean exit.
		[ -n "$_CL_STANDIN" ] && [ "$st" = 143 ] && st=0
		if [ "$st" = 0 ]; then
			_cl_say "n$k: herdd exited 0"
		else
			_cl_err "n$k: herdd exited with status ${_cl_exit[$k]:-unknown}"
			rc=1
		fi
	done
	return $rc
}

node_stop() { # K
	_cl_node_ok "${1:-}" || return 1
	if ! _cl_alive "$1"; then
		_cl_say "n$1: herdd is not running"
		return 0
	fi
	_cl_say "n$1: stopping herdd"
	_cl_stop_nodes "$1"
}

node_restart() { # K
	node_stop "${1:-}" || true
	node_start "${1:-}"
}

node_kill() { # K [SIG]
	_cl_node_ok "${1:-}" || return 1
	local sig=${2:-KILL}
	sig=${sig#SIG}
	if ! _cl_alive "$1"; then
		_cl_err "node_kill: herdd on n$1 is not running"
		return 1
	fi
	_cl_say "n$1: SIG$sig to herdd (pid ${_cl_pid[$1]})"
	kill -s "$sig" "${_cl_pid[$1]}" || return 1
	if [ "$sig" = KILL ] || [ "$sig" = 9 ]; then
		# (stderr: bash's "Killed" job notice comes while waiting)
		_cl_wait_gone 5 "$1" 2>/dev/null || { _cl_err "n$1: herdd survives SIGKILL?"; return 1; }
	fi
	return 0
}

# A node losing power, as the network sees it: its floating public
# addresses vanish from its kernel, then herdd dies. (node_kill alone is a
# herdd crash on a node that keeps running: its addresses stay configured.)
node_crash() { # K
	_cl_node_ok "${1:-}" || return 1
	local a
	_cl_say "n$1: crash (floating public addresses gone, SIGKILL to herdd)"
	for a in $(ip -n "herd-$CLUSTER_TAG-n$1" -o addr show dev pub0 |
		awk '{print $4}' | grep -E '^10\.92\.0\.1[0-9][0-9]/|^fd92::1[0-9][0-9]/'); do
		ip -n "herd-$CLUSTER_TAG-n$1" addr del "$a" dev pub0 2>/dev/null || true
	done
	node_kill "$1" KILL
}

node_pause() {
	_cl_node_ok "${1:-}" || return 1
	_cl_say "n$1: pausing herdd (SIGSTOP)"
	_cl_signal "$1" STOP
}
node_resume() {
	_cl_node_ok "${1:-}" || return 1
	_cl_say "n$1: resuming herdd (SIGCONT)"
	_cl_signal "$1" CONT
}

# --- links and faults ---------------------------------------------------------

_cl_ports() { # K L|all|pub  -> switch-side port names
	local k=$1 l=${2:-0}
	case $l in
	all) local i; for ((i = 0; i < _cl_links; i++)); do echo "n${k}l$i"; done ;;
	pub) echo "n${k}p" ;;
	*) _cl_link_ok "$l" || return 1; echo "n${k}l$l" ;;
	esac
}

_cl_set_ports() { # K L|all|pub up|down
	local ports p
	ports=$(_cl_ports "$1" "$2") || return 1
	for p in $ports; do
		ip -n "$_cl_sw" link set "$p" "$3" || return 1
	done
}

node_link_down() {
	_cl_node_ok "${1:-}" || return 1
	_cl_say "n$1: private link ${2:-0} down"
	_cl_set_ports "$1" "${2:-0}" down
}
node_link_up() {
	_cl_node_ok "${1:-}" || return 1
	_cl_say "n$1: private link ${2:-0} up"
	_cl_set_ports "$1" "${2:-0}" up
}
node_public_link_down() {
	_cl_node_ok "${1:-}" || return 1
	_cl_say "n$1: public link down"
	_cl_set_ports "$1" pub down
}
node_public_link_up() {
	_cl_node_ok "${1:-}" || return 1
	_cl_say "n$1: public link up"
	_cl_set_ports "$1" pub up
}

# nftables state of the switch: loss per port and partition groups live in
# CLUSTER_DIR/faults (so subshells see them too); the whole table is
# rewritten on every change.
_cl_nft_apply() {
	local f=$CLUSTER_DIR/faults rules=() port pct line
	local -a grp
	if [ -s "$f/loss" ]; then
		while read -r port pct; do
			[ -n "$port" ] || continue
			if [ "$pct" -ge 100 ]; then
				rules+=("iifname \"$port\" counter drop" "oifname \"$port\" counter drop")
			else
				rules+=("iifname \"$port\" numgen random mod 100 < $pct counter drop")
				rules+=("oifname \"$port\" numgen random mod 100 < $pct counter drop")
			fi
		done <"$f/loss"
	fi
	if [ -s "$f/partition" ]; then
		# One line per group of nodes; drop private traffic across groups.
		mapfile -t grp <"$f/partition"
		local i j a b l
		for ((i = 0; i < ${#grp[@]}; i++)); do
			for ((j = 0; j < ${#grp[@]}; j++)); do
				[ "$i" -ne "$j" ] || continue
				for a in ${grp[i]}; do
					for b in ${grp[j]}; do
						for ((l = 0; l < _cl_links; l++)); do
							rules+=("iifname \"n${a}l$l\" oifname \"n${b}l$l\" counter drop")
						done
					done
				done
			done
		done
	fi
	local ruleset out
	ruleset=$(
		echo "add table bridge herd_faults"
		echo "delete table bridge herd_faults"
		if [ ${#rules[@]} -gt 0 ]; then
			echo "table bridge herd_faults {"
			echo "  chain forward {"
			echo "    type filter hook forward priority 0; policy accept;"
			for line in "${rules[@]}"; do echo "    $line"; done
			echo "  }"
			echo "}"
		fi)
	if ! out=$(printf '%s\n' "$ruleset" | ip netns exec "$_cl_sw" nft -f - 2>&1); then
		printf '%s\n' "$out" | sed 's/^/cluster: nft: /' >&2
		return 1
	fi
}

_cl_have_nft() {
	command -v nft >/dev/null 2>&1 || return 1
	ip netns exec "$_cl_sw" nft list tables >/dev/null 2>&1
}

node_loss() { # K PCT [L|pub]
	_cl_node_ok "${1:-}" || return 1
	local k=$1 pct=${2:-} l=${3:-0} ports p f=$CLUSTER_DIR/faults
	if ! _cl_isnum "$pct" || [ "$pct" -gt 100 ]; then
		_cl_err "node_loss: PCT must be 0..100, not '$pct'"
		return 1
	fi
	ports=$(_cl_ports "$k" "$l") || return 1
	if _cl_have_nft; then
		mkdir -p "$f"; touch "$f/loss"
		for p in $ports; do
			grep -v "^$p " "$f/loss" >"$f/loss.new" || true
			[ "$pct" -eq 0 ] || echo "$p $pct" >>"$f/loss.new"
			mv "$f/loss.new" "$f/loss"
		done
		_cl_say "n$k: ${pct}% loss each way on link $l (nftables)"
		_cl_nft_apply
		return
	fi
	# tc netem: switch side shapes frames to the node, the node's own
	# interface those from it.
	local dev=priv$l
	[ "$l" = pub ] && dev=pub0
	for p in $ports; do
		tc -n "$_cl_sw" qdisc del dev "$p" root 2>/dev/null || true
		tc -n "herd-$CLUSTER_TAG-n$k" qdisc del dev "$dev" root 2>/dev/null || true
		[ "$pct" -eq 0 ] && continue
		if ! tc -n "$_cl_sw" qdisc add dev "$p" root netem loss "$pct%" 2>/dev/null ||
		   ! tc -n "herd-$CLUSTER_TAG-n$k" qdisc add dev "$dev" root netem loss "$pct%" 2>/dev/null; then
			_cl_say "node_loss: neither nftables nor tc netem works here"
			return 77
		fi
	done
	_cl_say "n$k: ${pct}% loss each way on link $l (netem)"
}

node_delay() { # K MS [L|pub]
	_cl_node_ok "${1:-}" || return 1
	local k=$1 ms=${2:-} l=${3:-0} ports p
	if ! _cl_isnum "$ms"; then
		_cl_err "node_delay: MS must be a number, not '$ms'"
		return 1
	fi
	ports=$(_cl_ports "$k" "$l") || return 1
	for p in $ports; do
		tc -n "$_cl_sw" qdisc del dev "$p" root 2>/dev/null || true
		[ "$ms" -eq 0 ] && continue
		if ! tc -n "$_cl_sw" qdisc add dev "$p" root netem delay "${ms}ms" 2>/dev/null; then
			_cl_say "node_delay: tc netem (sch_netem) is not available here"
			return 77
		fi
	done
	_cl_say "n$k: ${ms}ms delay towards the node on link $l"
}

cluster_partition() { # "K K.." "K K.." ...
	_cl_need_up || return 1
	local g k named=" " rest="" f=$CLUSTER_DIR/faults
	[ $# -ge 1 ] || { _cl_err "cluster_partition: give at least one group"; return 1; }
	if ! _cl_have_nft; then
		_cl_say "cluster_partition: nftables does not work here"
		return 77
	fi
	for g in "$@"; do
		for k in $g; do
			_cl_node_ok "$k" || return 1
			named+="$k "
		done
	done
	for ((k = 0; k < CLUSTER_N; k++)); do
		[[ $named == *" $k "* ]] || rest+="${rest:+ }$k"
	done
	mkdir -p "$f"
	{ printf '%s\n' "$@"; [ -z "$rest" ] || echo "$rest"; } >"$f/partition"
	_cl_say "partition: $(printf '[%s] ' "$@")${rest:+[$rest]}"
	_cl_nft_apply
}

cluster_heal() {
	_cl_need_up || return 1
	rm -f "$CLUSTER_DIR/faults/partition"
	_cl_say "partition healed"
	_cl_have_nft || return 0
	_cl_nft_apply
}

# --- configuration ------------------------------------------------------------

# Merge INI text (argument 2, "\n" already expanded) into the file in
# argument 1: same section+key replaced, new keys appended to their section,
# new sections appended. Keys compare case- and space-insensitively.
_cl_ini_merge() { # FILE TEXT
	local f=$1 tmp=$1.new
	printf '%s\n' "$2" | awk '
	function norm(s) { s = tolower(s); gsub(/[ \t]+/, " ", s); sub(/^ /, "", s); sub(/ $/, "", s); return s }
	function flush(sec,   i, key) {
		for (i = 1; i <= ecount[sec]; i++) {
			key = eorder[sec, i]
			if (!((sec, key) in used)) { print eline[sec, key]; used[sec, key] = 1 }
		}
	}
	FNR == NR {
		if ($0 ~ /^[ \t]*\[[^]]*\][ \t]*$/) { s = $0; gsub(/[][]/, "", s); esec = norm(s)
			if (!(esec in ecount)) { ecount[esec] = 0; sorder[++nsec] = esec; sname[esec] = $0 }
			next }
		if ($0 ~ /^[ \t]*([#;].*)?$/ || index($0, "=") == 0) next
		k = norm(substr($0, 1, index($0, "=") - 1))
		if (!(esec in ecount)) { ecount[esec] = 0; sorder[++nsec] = esec; sname[esec] = "" }
		if (!((esec, k) in eline)) eorder[esec, ++ecount[esec]] = k
		eline[esec, k] = $0
		next
	}
	# Blank lines are held back so that keys added to a section go before
	# the blank lines that end it.
	/^[ \t]*$/ { blanks++; next }
	{
		if ($0 ~ /^[ \t]*\[[^]]*\][ \t]*$/) {
			if (started) flush(sec)
			for (; blanks > 0; blanks--) print ""
			s = $0; gsub(/[][]/, "", s); sec = norm(s); seen[sec] = 1; started = 1
			print; next
		}
		for (; blanks > 0; blanks--) print ""
		if (!started) { if ("" in ecount) flush(""); seen[""] = 1; started = 1; sec = "" }
		if ($0 !~ /^[ \t]*[#;]/ && index($0, "=") > 0) {
			k = norm(substr($0, 1, index($0, "=") - 1))
			if ((sec, k) in eline) { print eline[sec, k]; used[sec, k] = 1; next }
		}
		print
	}
	END {
		if (started) flush(sec)
		for (; blanks > 0; blanks--) print ""
		for (i = 1; i <= nsec; i++) {
			s = sorder[i]
			if (s in seen) continue
			print ""
			if (sname[s] != "") print sname[s]
			flush(s)
		}
	}' - "$f" >"$tmp" && mv "$tmp" "$f"
}

# Expand "\n" and the @...@ placeholders for node K.
_cl_expand() { # K TEXT
	local t
	t=$(printf '%b' "$2")
	t=${t//@SHARED@/$CLUSTER_DIR/shared}
	t=${t//@NODEDIR@/$CLUSTER_DIR/n$1}
	t=${t//@NODE@/$1}
	t=${t//@DIR@/$CLUSTER_DIR}
	printf '%s' "$t"
}

_cl_write_config() { # K
	local k=$1 d=$CLUSTER_DIR/n$1 etc l i addrs extra pa var
	etc=$d/etc
	mkdir -p "$etc" "$d/run" "$d/state"
	: >"$etc/nodes"
	for ((i = 0; i < CLUSTER_N; i++)); do
		addrs=
		for ((l = 0; l < _cl_links; l++)); do
			addrs+=${addrs:+,}10.91.$l.$((10 + i))
		done
		echo "$addrs" >>"$etc/nodes"
	done
	var=CLUSTER_PUBLIC_ADDRESSES_$k
	pa=${!var-$CLUSTER_PUBLIC_ADDRESSES}
	pa=$(_cl_expand "$k" "$pa")
	if [ -n "$pa" ]; then printf '%s\n' "$pa" >"$etc/public_addresses"
	else : >"$etc/public_addresses"; fi
	cat >"$etc/herd.conf" <<EOF
# herd.conf for node $k, written by tests/cluster/lib.sh
[cluster]
name = test
nodes file = nodes

[paths]
run dir = $d/run
state dir = $d/state

[logging]
level = info

[mail]
# no MTA in the namespaces: tests that mail set their own server
enabled = no
EOF
	extra=$(_cl_expand "$k" "$CLUSTER_CONF_EXTRA")
	[ -z "$extra" ] || _cl_ini_merge "$etc/herd.conf" "$extra" || return 1
	var=CLUSTER_CONF_EXTRA_$k
	extra=$(_cl_expand "$k" "${!var:-}")
	[ -z "$extra" ] || _cl_ini_merge "$etc/herd.conf" "$extra" || return 1
}

node_conf_set() { # K SECTION KEY VALUE
	_cl_node_ok "${1:-}" || return 1
	[ $# -ge 4 ] || { _cl_err "node_conf_set K SECTION KEY VALUE"; return 1; }
	_cl_ini_merge "$CLUSTER_DIR/n$1/etc/herd.conf" "[$2]
$3 = $4"
}

cluster_conf_set() { # SECTION KEY VALUE
	_cl_need_up || return 1
	local k
	for ((k = 0; k < CLUSTER_N; k++)); do node_conf_set "$k" "$@" || return 1; done
}

# --- bring-up and teardown ----------------------------------------------------

cluster_check() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: cluster tests need root (network namespaces)" >&2
		return 77
	fi
	if ! command -v ip >/dev/null 2>&1; then
		echo "SKIP: no ip(8) (iproute2)" >&2
		return 77
	fi
	local probe
	probe=herd-$(printf '%x' "$BASHPID")-pr
	if ! ip netns add "$probe" 2>/dev/null; then
		echo "SKIP: ip netns does not work here" >&2
		return 77
	fi
	if ! ip -n "$probe" link add herdprobebr type bridge 2>/dev/null ||
	   ! ip -n "$probe" link add herdprobe0 type veth peer name herdprobe1 2>/dev/null; then
		ip netns del "$probe" 2>/dev/null
		echo "SKIP: no bridge or veth support in this kernel" >&2
		return 77
	fi
	ip netns del "$probe"
	if [ -z "$_CL_STANDIN" ]; then
		local b
		for b in herdd herdctl; do
			if [ ! -x "$HERD_BUILD/$b" ]; then
				echo "cluster: error: $HERD_BUILD/$b is missing (run make, or set HERD_BUILD)" >&2
				return 1
			fi
		done
	fi
	return 0
}

# Create a namespace whose name is not taken yet, recording it.
_cl_addns() { # NAME
	ip netns add "$1" || { _cl_err "ip netns add $1 failed"; return 1; }
	_cl_ns+=("$1")
}

_cl_make_network() {
	local sw k l i ns tag tries=0
	# The switch namespace reserves the tag: it is made first, deleted last.
	tag=$(printf '%x' "$BASHPID")
	while ! ip netns add "herd-$tag-sw" 2>/dev/null; do
		tries=$((tries + 1))
		if [ $tries -gt 20 ]; then
			_cl_err "cannot create a switch namespace (last tried herd-$tag-sw)"
			return 1
		fi
		tag=$(printf '%06x' $(( ((RANDOM << 15) ^ RANDOM) & 0xffffff )))
	done
	sw=herd-$tag-sw
	_cl_ns=("$sw")
	_cl_sw=$sw
	CLUSTER_TAG=$tag
	echo "$sw" >"$CLUSTER_DIR/namespaces"
	_cl_say "switch namespace $sw"

	ip netns exec "$sw" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1 || true
	ip -n "$sw" link set lo up || return 1
	for ((l = 0; l < _cl_links; l++)); do
		ip -n "$sw" link add "br$l" type bridge forward_delay 0 stp_state 0 mcast_snooping 0 || return 1
		ip -n "$sw" link set "br$l" up || return 1
	done
	ip -n "$sw" link add brpub type bridge forward_delay 0 stp_state 0 mcast_snooping 0 || return 1
	ip -n "$sw" link set brpub up || return 1

	for ((k = 0; k < CLUSTER_N; k++)); do
		ns=herd-$tag-n$k
		_cl_addns "$ns" || return 1
		echo "$ns" >>"$CLUSTER_DIR/namespaces"
		ip -n "$ns" link set lo up || return 1
		for ((l = 0; l < _cl_links; l++)); do
			ip -n "$sw" link add "n${k}l$l" type veth peer name "priv$l" netns "$ns" || return 1
			ip -n "$sw" link set "n${k}l$l" master "br$l" up || return 1
			ip -n "$ns" addr add "10.91.$l.$((10 + k))/24" dev "priv$l" || return 1
			[ -z "$_cl_ipv6" ] || ip -n "$ns" addr add "fd91:$l::$((10 + k))/64" dev "priv$l" nodad || return 1
			ip -n "$ns" link set "priv$l" up || return 1
		done
		ip -n "$sw" link add "n${k}p" type veth peer name pub0 netns "$ns" || return 1
		ip -n "$sw" link set "n${k}p" master brpub up || return 1
		ip -n "$ns" addr add "10.92.0.$((10 + k))/24" dev pub0 || return 1
		[ -z "$_cl_ipv6" ] || ip -n "$ns" addr add "fd92::$((10 + k))/64" dev pub0 nodad || return 1
		ip -n "$ns" link set pub0 up || return 1
		_cl_say "node n$k: namespace $ns, private $(for ((l = 0; l < _cl_links; l++)); do printf '10.91.%d.%d ' "$l" $((10 + k)); done)public 10.92.0.$((10 + k))"
	done
	for ((i = 0; i < _cl_clients; i++)); do
		ns=herd-$tag-c$i
		_cl_addns "$ns" || return 1
		echo "$ns" >>"$CLUSTER_DIR/namespaces"
		ip -n "$ns" link set lo up || return 1
		ip -n "$sw" link add "c$i" type veth peer name pub0 netns "$ns" || return 1
		ip -n "$sw" link set "c$i" master brpub up || return 1
		ip -n "$ns" addr add "10.92.0.$((200 + i))/24" dev pub0 || return 1
		[ -z "$_cl_ipv6" ] || ip -n "$ns" addr add "fd92::$((200 + i))/64" dev pub0 nodad || return 1
		ip -n "$ns" link set pub0 up || return 1
		_cl_say "client c$i: namespace $ns, public 10.92.0.$((200 + i))"
	done
}

cluster_up() { # N
	local n=${1:-} k nodes=()
	if [ -n "$_cl_sw" ]; then
		_cl_err "cluster_up: a cluster is up already (cluster_down first)"
		return 1
	fi
	if ! _cl_isnum "$n" || [ "$n" -lt 1 ] || [ "$n" -gt 64 ]; then
		_cl_err "cluster_up: N must be 1..64, not '$n'"
		return 1
	fi
	if ! _cl_isnum "$CLUSTER_LINKS" || [ "$CLUSTER_LINKS" -lt 1 ] || [ "$CLUSTER_LINKS" -gt 4 ]; then
		_cl_err "CLUSTER_LINKS must be 1..4, not '$CLUSTER_LINKS'"
		return 1
	fi
	if ! _cl_isnum "$CLUSTER_CLIENT" || [ "$CLUSTER_CLIENT" -gt 9 ]; then
		_cl_err "CLUSTER_CLIENT must be 0..9, not '$CLUSTER_CLIENT'"
		return 1
	fi
	if [ -z "$_CL_STANDIN" ] && { [ ! -x "$HERD_BUILD/herdd" ] || [ ! -x "$HERD_BUILD/herdctl" ]; }; then
		_cl_err "no herdd/herdctl in $HERD_BUILD (run make, or set HERD_BUILD)"
		return 1
	fi
	CLUSTER_N=$n
	_cl_links=$CLUSTER_LINKS
	_cl_clients=$CLUSTER_CLIENT
	_cl_ipv6=${CLUSTER_IPV6:-}
	[ "$_cl_ipv6" != 0 ] || _cl_ipv6=
	_cl_pid=() _cl_pstart=() _cl_exit=()
	CLUSTER_DIR=$(mktemp -d "${CLUSTER_TMPDIR:-${TMPDIR:-/tmp}}/herd-cluster.XXXXXX") || {
		_cl_err "mktemp failed"; CLUSTER_N=0; return 1; }
	_cl_dir_made=$CLUSTER_DIR
	CLUSTER_SHARED=$CLUSTER_DIR/shared
	mkdir -p "$CLUSTER_SHARED"
	_cl_say "bringing up $n node(s), $_cl_links private link(s), $_cl_clients client(s) in $CLUSTER_DIR"
	if ! _cl_make_network; then
		_cl_err "cluster_up: building the network failed"
		_cl_up_failed
		return 1
	fi
	for ((k = 0; k < n; k++)); do
		if ! _cl_write_config "$k"; then
			_cl_err "cluster_up: writing n$k's config failed"
			_cl_up_failed
			return 1
		fi
		if [ -n "${CLUSTER_SETUP_HOOK:-}" ] && ! $CLUSTER_SETUP_HOOK "$k" "$CLUSTER_DIR/n$k"; then
			_cl_err "cluster_up: CLUSTER_SETUP_HOOK failed for n$k"
			_cl_up_failed
			return 1
		fi
	done
	for ((k = 0; k < n; k++)); do
		_cl_spawn "$k"
		nodes+=("$k")
	done
	if ! _cl_wait_nodes "$CLUSTER_START_TIMEOUT" "${nodes[@]}"; then
		_cl_up_failed
		return 1
	fi
	_cl_say "cluster of $n node(s) is up"
}

# A failed cluster_up cleans up itself unless the trap will.
_cl_up_failed() {
	if [ -n "$_cl_trapped" ]; then
		_cl_say "leaving the teardown to the trap"
	else
		cluster_down || true
	fi
}

cluster_down() {
	local rc=0 k ns pids p keep=${CLUSTER_KEEP:-} all=() saved
	[ -z "$_cl_in_down" ] || return 0
	if [ ${#_cl_ns[@]} -eq 0 ] && [ -z "$_cl_dir_made" ]; then
		return 0
	fi
	# Ctrl-C, SIGTERM or a closed output must not cut the teardown short
	# (it is bounded).
	saved=$(trap -p INT TERM HUP PIPE QUIT)
	trap '' INT TERM HUP PIPE QUIT
	_cl_in_down=1
	_cl_say "tearing down${CLUSTER_TAG:+ herd-$CLUSTER_TAG-*}"
	# The test's own background commands (node_bg, client_bg) first.
	for p in "${_cl_bg[@]}"; do bg_stop "$p"; done
	_cl_bg=()
	for ((k = 0; k < CLUSTER_N; k++)); do all+=("$k"); done
	if [ ${#all[@]} -gt 0 ]; then
		_cl_stop_nodes "${all[@]}" || rc=1
	fi
	# Whatever still runs in our namespaces (herdd's helpers, a test's
	# background command) was started by this run: report it and end it.
	for ns in "${_cl_ns[@]}"; do
		pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
		[ -n "${pids// /}" ] || continue
		for p in $pids; do
			_cl_err "left in $ns: pid $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
		done
		# shellcheck disable=SC2086
		kill -s CONT $pids 2>/dev/null || true
		# shellcheck disable=SC2086
		kill -s TERM $pids 2>/dev/null || true
		rc=1
	done
	for ns in "${_cl_ns[@]}"; do
		local i
		for ((i = 0; i < 20; i++)); do
			pids=$(ip netns pids "$ns" 2>/dev/null)
			[ -n "$pids" ] || break
			sleep 0.1
		done
		# shellcheck disable=SC2086
		[ -z "$pids" ] || kill -s KILL $pids 2>/dev/null || true
	done
	# Delete nodes and clients first, the switch (which holds the tag) last.
	local order=()
	for ((k = ${#_cl_ns[@]} - 1; k >= 0; k--)); do order+=("${_cl_ns[k]}"); done
	for ns in "${order[@]}"; do
		if ! ip netns del "$ns" 2>/dev/null && [ -e "/run/netns/$ns" ]; then
			_cl_err "could not delete namespace $ns"
			rc=1
		fi
	done
	_cl_ns=()
	_cl_sw=
	if [ -n "$_cl_dir_made" ] && [ -d "$_cl_dir_made" ]; then
		if [ -n "$keep" ]; then
			_cl_say "CLUSTER_KEEP: logs and configs kept in $_cl_dir_made"
		else
			rm -rf -- "$_cl_dir_made"
		fi
	fi
	_cl_dir_made=
	CLUSTER_N=0
	_cl_pid=() _cl_pstart=()
	_cl_say "teardown done"
	_cl_in_down=
	trap - INT TERM HUP PIPE QUIT
	eval "$saved"
	return $rc
}

# The trap handlers. On a failing exit, show the end of every herdd log
# before it is removed, then run the test's own CLUSTER_ON_EXIT.
_cl_on_exit() {
	local st=$?
	if [ "$st" -ne 0 ] && [ -n "$_cl_sw" ] && [ -z "${CLUSTER_QUIET:-}" ]; then
		local k
		for ((k = 0; k < CLUSTER_N; k++)); do _cl_log_tail "$k" "${CLUSTER_LOG_TAIL:-15}"; done
	fi
	if [ -n "${CLUSTER_ON_EXIT:-}" ]; then $CLUSTER_ON_EXIT || true; fi
	cluster_down || true
	return "$st"
}

# A signal that would kill bash skips the EXIT trap, so each one that can
# end a test (Ctrl-C, kill, a closed terminal, `demo | head`) gets a handler.
_cl_on_signal() { # SIGNAL
	trap '' INT TERM HUP PIPE QUIT
	_cl_say "caught SIG$1, cleaning up"
	trap - EXIT
	(exit 1); _cl_on_exit
	case $1 in
	HUP) exit 129 ;; INT) exit 130 ;; QUIT) exit 131 ;; PIPE) exit 141 ;; TERM) exit 143 ;;
	*) exit 1 ;;
	esac
}

cluster_trap() {
	local sig
	trap '_cl_on_exit' EXIT
	for sig in INT TERM HUP PIPE QUIT; do
		# shellcheck disable=SC2064
		trap "_cl_on_signal $sig" "$sig"
	done
	_cl_trapped=1
}

# herd-TAG-* namespaces whose creating shell (TAG = its pid in hex) is gone.
# Only lists them; remove by hand with `ip netns del NAME` after checking
# `ip netns pids NAME`.
cluster_stale() {
	local ns tag
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		[[ $ns =~ ^herd-([0-9a-f]+)-(sw|n[0-9]+|c[0-9]+|pr)$ ]] || continue
		tag=${BASH_REMATCH[1]}
		[ "$tag" = "$CLUSTER_TAG" ] && continue
		kill -0 "$((16#$tag))" 2>/dev/null && continue
		echo "$ns"
	done
}
