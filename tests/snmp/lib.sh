# tests/snmp/lib.sh — a real SNMP stack beside a cluster node (bash).
#
# Every SNMP test (tests/snmp/t-*.sh) and the SNMP benchmark use this file on
# top of the cluster harness. For node K it runs, inside the node's network
# namespace (node_bg), with all state in $CLUSTER_DIR/snmpK:
#   snmptrapd   udp:127.0.0.1:$SNMP_TRAP_PORT, v2c, no authorization, every
#               notification on one line of traps.log (format below)
#   snmpd       AgentX master on the unix socket agentx.sock, SNMP on
#               udp:127.0.0.1:$SNMP_PORT only; v2c community $SNMP_COMMUNITY
#               and a v3 authPriv user $SNMP_V3_USER (SHA/AES, createUser);
#               trap2sink to that snmptrapd
#   herd-agentx -c NODE_ETC -x agentx.sock -p agentx-state (log herd-agentx.log)
# Nothing listens outside the node's own 127.0.0.1, and the host's
# /etc/snmp and /var/lib/snmp are never read or written (SNMPCONFPATH,
# SNMP_PERSISTENT_DIR and snmpd's -C -c point into the node's snmp dir).
# Every process is started with node_bg: the harness ends what is left.
#
#   . tests/cluster/lib.sh; . tests/snmp/lib.sh
#   cluster_check || exit $?; snmp_check || exit $?
#   cluster_trap; cluster_up 3 || fail ...
#   snmp_up 0 || fail "snmp_up"        # all three, waits until herd-agentx answers
#   snmp_get herdClusterName.0         # value only, MIB names (-Oqv)
#   SNMP_AUTH=v3 snmp_bulkwalk HERD-MIB::herdObjects
#   trap_mark 0; node_kill 2
#   wait_trap "OID: ${HERD_NOTIF//./\\.}\\.7([[:space:]]|$)" 5   # the matching trap lines
#   snmp_down 0 || fail "herd-agentx did not exit 0"
#
# Functions (K: a node number; the query helpers use node $SNMP_NODE, default
# 0, and $SNMP_AUTH: v2c (default) or v3 = authPriv SHA/AES):
#   snmp_check              77 ("SKIP: why") when snmpd, snmptrapd or the
#                           net-snmp tools are missing; 1 when herd-agentx is
#                           missing from $HERD_BUILD
#   snmp_up K               trapd_start, snmpd_start, agentx_start; 1 (with
#                           the logs' tails) when one does not come up
#   snmp_down K             stop all three; 1 unless herd-agentx exited 0
#   trapd_start K / trapd_stop K
#   snmpd_start K / snmpd_stop K     (snmpd_stop: SIGTERM, then SIGKILL)
#   snmpd_pid K / agentx_pid K / trapd_pid K    pid or status 1
#   agentx_start K [ARGS]   start herd-agentx, wait until it serves
#                           herdClusterName.0 (AGENTX_WAIT seconds, 10)
#   agentx_stop K           SIGTERM; its exit status is returned and kept in
#                           AGENTX_RC (SIGKILL after 5 s: status 137)
#   agentx_serving [K]      status 0 when herdClusterName.0 answers
#   snmp_dir K              $CLUSTER_DIR/snmpK
#   snmp_get OBJ...         snmpget, value(s) only; OBJ is a HERD-MIB name
#                           (herdClusterLeader.0) or a numeric OID
#   snmp_walk ARGS... / snmp_bulkwalk ARGS...   snmpwalk / snmpbulkwalk with
#                           the MIB loaded; the last ARG is the OID
#   snmp_rawwalk [bulk] [OID]  numeric OIDs, no MIB, every octet string in
#                           hex on one line, TimeTicks as a number:
#                           ".1.3.6...  TYPE  VALUE" per line (TYPE: INTEGER,
#                           Gauge32, Counter64, Hex-STRING, OID, Timeticks,
#                           ...); OID defaults to herdMIB
#   snmp_rawget [OPTS] OID...  snmpget without the MIB: values only, octet
#                           strings in hex, numbers for enumerations
#   snmp_cmd K TOOL ARGS... run a net-snmp tool in node K's namespace with
#                           the test's environment (no auth arguments added)
#   snmp_auth_args          the auth arguments of $SNMP_AUTH (one per line)
#   trap_mark [K]           later wait_trap/traps only look past this point
#   traps [K]               trap lines since the mark
#   wait_trap PATTERN SECS  wait until a trap line of node $SNMP_NODE since
#                           the mark matches the extended regex PATTERN;
#                           prints the matching lines; 1 on timeout
#   trap_vb LINE OIDPREFIX  of a trap line: "OID TYPE VALUE" of the first
#                           varbind whose OID starts with OIDPREFIX.
#   trap_val LINE OIDPREFIX just its VALUE ("<none>" when there is none)
#   trap_oid LINE           its snmpTrapOID.0
# Conversions (hex octets, DateAndTime, index encodings), HERD-MIB read from
# mib/HERD-MIB.txt (mib_load, MIB_OID[name], mib_enum) and herdctl -j
# flattened (json_load) are documented where they are defined, below.
#
# traps.log: one line per notification received:
#   TRAP <epoch s> <version 1=v2c> <community> \t <varbind> \t <varbind> ...
# with each varbind ".1.3.6.1... = TYPE: VALUE" (numeric OIDs, octet strings
# in hex, TimeTicks as a number).
#
# Variables: SNMPD_CONF_EXTRA (lines added to snmpd.conf; @DIR@ is the
# node's snmp dir), SNMP_PORT (1161), SNMP_TRAP_PORT (1162), SNMP_COMMUNITY,
# SNMP_V3_USER, SNMP_V3_AUTH, SNMP_V3_PRIV, SNMP_TIMEOUT (-t, 2 s),
# SNMP_MIBDIRS (the IETF modules, net-snmp's, mib/; empty when the IETF ones
# are missing: names are then not resolved and snmp_names is false),
# HERD_OID (numeric herdMIB), HERD_OBJ (herdObjects), HERD_NOTIF
# (herdNotifications). Internal names start with _sn.

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	echo "lib.sh: source this file: . tests/snmp/lib.sh" >&2
	exit 2
fi

_sn_libdir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
_sn_top=$(cd "$_sn_libdir/../.." && pwd)

: "${SNMP_PORT:=1161}"
: "${SNMP_TRAP_PORT:=1162}"
: "${SNMP_COMMUNITY:=herdtest}"
: "${SNMP_V3_USER:=herdv3}"
: "${SNMP_V3_AUTH:=herd-auth-pass}"
: "${SNMP_V3_PRIV:=herd-priv-pass}"
: "${SNMP_TIMEOUT:=2}"
: "${SNMP_NODE:=0}"
: "${SNMP_AUTH:=v2c}"
: "${AGENTX_WAIT:=10}"
HERD_OID=.1.3.6.1.4.1.8072.9999.9999.4373.1
HERD_OBJ=$HERD_OID.1
HERD_NOTIF=$HERD_OID.0
SNMP_TRAP_OID=.1.3.6.1.6.3.1.1.4.1.0

if [ -z "${_sn_loaded:-}" ]; then
	_sn_loaded=1
	declare -gA _sn_snmpd=() _sn_trapd=() _sn_agentx=() _sn_mark=() J=() JT=() JK=()
	AGENTX_RC=
fi

# ---- the MIB path -------------------------------------------------------------
# As tests/docs/mib.sh: the IETF modules from HERD_IETF_MIBS, ../shared/mibs
# or Debian's snmp-mibs-downloader dir; NET-SNMP-MIB from net-snmp's dir.
_sn_find_mibs() {
	local d ietf= netsnmp=
	for d in ${HERD_IETF_MIBS:-} "$_sn_top/../shared/mibs" /usr/share/snmp/mibs/ietf; do
		[ -e "$d/SNMPv2-SMI.txt" ] || [ -e "$d/SNMPv2-SMI" ] || continue
		ietf=$(cd "$d" && pwd)
		break
	done
	for d in $(net-snmp-config --default-mibdirs 2>/dev/null | tr : ' ') /usr/share/snmp/mibs; do
		[ -e "$d/NET-SNMP-MIB.txt" ] || continue
		netsnmp=$d
		break
	done
	if [ -n "$ietf" ] && [ -n "$netsnmp" ]; then
		SNMP_MIBDIRS=$ietf:$netsnmp:$_sn_top/mib
	else
		SNMP_MIBDIRS=
	fi
}
[ -n "${SNMP_MIBDIRS+set}" ] || _sn_find_mibs

# Status 0 when MIB names can be resolved.
snmp_names() { [ -n "$SNMP_MIBDIRS" ]; }

snmp_check() {
	local t
	for t in snmpd snmptrapd snmpget snmpwalk snmpbulkwalk snmptranslate; do
		if ! command -v "$t" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$t" ]; then
			echo "SKIP: $t is missing (Debian: snmpd, snmptrapd, snmp)" >&2
			return 77
		fi
	done
	if [ ! -x "$HERD_BUILD/herd-agentx" ]; then
		echo "snmp: error: $HERD_BUILD/herd-agentx is missing (run make, or set HERD_BUILD)" >&2
		return 1
	fi
}

_sn_bin() { # TOOL: its path (snmpd and snmptrapd live in /usr/sbin)
	command -v "$1" 2>/dev/null || echo "/usr/sbin/$1"
}

_sn_say() { [ -n "${CLUSTER_QUIET:-}" ] || echo "snmp: $*" >&2; }
_sn_err() { echo "snmp: error: $*" >&2; }

snmp_dir() { _cl_node_ok "${1:-}" || return 1; echo "$CLUSTER_DIR/snmp$1"; }

# The environment every net-snmp program of node K runs with: its own config
# path (snmp.conf), its own persistent dir, no MIBs from the environment.
_sn_env() { # K
	local d=$CLUSTER_DIR/snmp$1
	echo "SNMPCONFPATH=$d/conf" "SNMP_PERSISTENT_DIR=$d/persist" "MIBS=" "MIBDIRS="
}

_sn_prepare() { # K
	local d=$CLUSTER_DIR/snmp$1
	[ -d "$d/conf" ] && return 0
	mkdir -p "$d/conf" "$d/persist/cert_indexes" "$d/agentx-state"
	chmod 700 "$d/persist" "$d/agentx-state"
	# Client side: hex strings on one line (trap and raw walk parsing).
	cat >"$d/conf/snmp.conf" <<EOF
# written by tests/snmp/lib.sh
hexOutputLength 0
EOF
	cat >"$d/conf/snmpd.conf" <<EOF
# snmpd.conf for node $1, written by tests/snmp/lib.sh
master agentx
agentXSocket $d/agentx.sock
agentXPerms 0660 0770
agentXTimeout 1
agentXRetries 1
agentaddress udp:127.0.0.1:$SNMP_PORT
dontLogTCPWrappersConnects yes
rocommunity $SNMP_COMMUNITY 127.0.0.1
createUser $SNMP_V3_USER SHA "$SNMP_V3_AUTH" AES "$SNMP_V3_PRIV"
rouser $SNMP_V3_USER priv
trap2sink 127.0.0.1:$SNMP_TRAP_PORT $SNMP_COMMUNITY
sysName herd-node-$1
sysLocation tests/snmp
sysContact nobody
EOF
	[ -z "${SNMPD_CONF_EXTRA:-}" ] || printf '%s\n' "${SNMPD_CONF_EXTRA//@DIR@/$d}" >>"$d/conf/snmpd.conf"
	cat >"$d/conf/snmptrapd.conf" <<EOF
# snmptrapd.conf for node $1, written by tests/snmp/lib.sh
disableAuthorization yes
format2 TRAP %t %s %u\t%v\n
format1 TRAP %t %s %u\t%v\n
EOF
	: >"$d/traps.log"
}

snmp_cmd() { # K TOOL ARGS...
	_cl_node_ok "${1:-}" || return 1
	local k=$1 tool=$2
	shift 2
	# shellcheck disable=SC2046
	node_exec "$k" env $(_sn_env "$k") "$(_sn_bin "$tool")" "$@"
}

# ---- processes -------------------------------------------------------------------

# Alive and still the process we started (not a zombie).
_sn_alive() { # PID
	local st
	[ -n "${1:-}" ] || return 1
	st=$(_cl_procstat "$1") || return 1
	[ "${st% *}" != Z ] && [ "${st% *}" != X ]
}

# End one of our node_bg processes: SIGCONT, SIGTERM, SIGKILL after SECS.
# Prints nothing; returns the exit status (137 when it needed SIGKILL).
_sn_stop_pid() { # PID SECS
	local p=$1 secs=${2:-5} i rc=0
	[ -n "$p" ] || return 0
	kill -s CONT "$p" 2>/dev/null || true
	kill -s TERM "$p" 2>/dev/null || true
	for ((i = 0; i < secs * 20; i++)); do
		_sn_alive "$p" || break
		sleep 0.05
	done
	if _sn_alive "$p"; then
		kill -s KILL "$p" 2>/dev/null || true
	fi
	wait "$p" 2>/dev/null || rc=$?
	_sn_forget "$p"
	return $rc
}

# The harness ends every node_bg pid at teardown; forget the ones already
# ended here so a recycled pid is never signalled.
_sn_forget() { # PID
	local p keep=()
	for p in "${_cl_bg[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	_cl_bg=("${keep[@]}")
}

_sn_tail() { # FILE LINES
	echo "snmp: ---- last ${2:-15} lines of $1 ----" >&2
	if [ -s "$1" ]; then tail -n "${2:-15}" "$1" | sed 's/^/snmp:   | /' >&2
	else echo "snmp:   (empty)" >&2; fi
}

_sn_udp_listening() { # K PORT
	node_exec "$1" ss -Hlun "sport = :$2" 2>/dev/null | grep -q .
}

trapd_start() { # K
	_cl_node_ok "${1:-}" || return 1
	local k=$1 d i
	d=$(snmp_dir "$k")
	_sn_prepare "$k"
	if _sn_alive "${_sn_trapd[$k]:-}"; then _sn_err "trapd_start: already running on n$k"; return 1; fi
	# -On -Ox -Ot: numeric OIDs, octet strings in hex (one line: snmp.conf),
	# TimeTicks as numbers. No MIB: no display hints either.
	# shellcheck disable=SC2046
	# (no -C: snmptrapd reads snmptrapd.conf and snmp.conf from SNMPCONFPATH only)
	node_bg "$k" env $(_sn_env "$k") "$(_sn_bin snmptrapd)" -f \
		-X -n -m "" -On -Ox -Ot -Lf "$d/traps.log" -p "$d/snmptrapd.pid" \
		"udp:127.0.0.1:$SNMP_TRAP_PORT" >>"$d/snmptrapd.out" 2>&1 </dev/null
	_sn_trapd[$k]=$CLUSTER_BG_PID
	for ((i = 0; i < 100; i++)); do
		_sn_udp_listening "$k" "$SNMP_TRAP_PORT" && { _sn_say "n$k: snmptrapd pid ${_sn_trapd[$k]}"; return 0; }
		_sn_alive "${_sn_trapd[$k]}" || break
		sleep 0.05
	done
	_sn_err "n$k: snmptrapd did not come up"
	_sn_tail "$d/snmptrapd.out"; _sn_tail "$d/traps.log"
	return 1
}

trapd_stop() { # K
	_cl_node_ok "${1:-}" || return 1
	_sn_stop_pid "${_sn_trapd[$1]:-}" 5 || true
	_sn_trapd[$1]=
}

snmpd_start() { # K
	_cl_node_ok "${1:-}" || return 1
	local k=$1 d i
	d=$(snmp_dir "$k")
	_sn_prepare "$k"
	if _sn_alive "${_sn_snmpd[$k]:-}"; then _sn_err "snmpd_start: already running on n$k"; return 1; fi
	rm -f "$d/agentx.sock"
	echo "=== snmp: snmpd started $(date '+%F %T.%N')" >>"$d/snmpd.log"
	# shellcheck disable=SC2046
	node_bg "$k" env $(_sn_env "$k") "$(_sn_bin snmpd)" -f -C -c "$d/conf/snmpd.conf" \
		-m "" -Lf "$d/snmpd.log" -p "$d/snmpd.pid" >>"$d/snmpd.log" 2>&1 </dev/null
	_sn_snmpd[$k]=$CLUSTER_BG_PID
	for ((i = 0; i < 200; i++)); do
		if [ -S "$d/agentx.sock" ] &&
		   snmp_cmd "$k" snmpget -v2c -c "$SNMP_COMMUNITY" -t 0.5 -r 0 -m "" -Oqv \
			"127.0.0.1:$SNMP_PORT" .1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; then
			_sn_say "n$k: snmpd pid ${_sn_snmpd[$k]} answers on udp:127.0.0.1:$SNMP_PORT"
			return 0
		fi
		_sn_alive "${_sn_snmpd[$k]}" || break
		sleep 0.05
	done
	_sn_err "n$k: snmpd did not come up"
	_sn_tail "$d/snmpd.log"
	return 1
}

snmpd_stop() { # K
	_cl_node_ok "${1:-}" || return 1
	local rc=0
	_sn_stop_pid "${_sn_snmpd[$1]:-}" 5 || rc=$?
	_sn_snmpd[$1]=
	return $rc
}

snmpd_pid() { _sn_alive "${_sn_snmpd[${1:-}]:-}" && echo "${_sn_snmpd[$1]}"; }
trapd_pid() { _sn_alive "${_sn_trapd[${1:-}]:-}" && echo "${_sn_trapd[$1]}"; }
agentx_pid() { _sn_alive "${_sn_agentx[${1:-}]:-}" && echo "${_sn_agentx[$1]}"; }

agentx_serving() { # [K]
	local v
	v=$(SNMP_NODE=${1:-$SNMP_NODE} SNMP_AUTH=v2c snmp_rawget -t 0.5 -r 0 "$HERD_OBJ.1.1.0" 2>/dev/null) || return 1
	[ -n "$v" ] && [[ $v != *"No Such"* ]]
}

agentx_start() { # K [ARGS...]
	_cl_node_ok "${1:-}" || return 1
	local k=$1 d i
	shift
	d=$(snmp_dir "$k")
	_sn_prepare "$k"
	if _sn_alive "${_sn_agentx[$k]:-}"; then _sn_err "agentx_start: already running on n$k"; return 1; fi
	echo "=== snmp: herd-agentx started $(date '+%F %T.%N')" >>"$d/herd-agentx.log"
	# shellcheck disable=SC2046
	node_bg "$k" env $(_sn_env "$k") "$HERD_BUILD/herd-agentx" -c "$CLUSTER_DIR/n$k/etc" \
		-x "$d/agentx.sock" -p "$d/agentx-state" "$@" >>"$d/herd-agentx.log" 2>&1 </dev/null
	_sn_agentx[$k]=$CLUSTER_BG_PID
	AGENTX_RC=
	for ((i = 0; i < AGENTX_WAIT * 10; i++)); do
		if agentx_serving "$k"; then
			_sn_say "n$k: herd-agentx pid ${_sn_agentx[$k]} serves HERD-MIB"
			return 0
		fi
		if ! _sn_alive "${_sn_agentx[$k]}"; then
			wait "${_sn_agentx[$k]}" 2>/dev/null; AGENTX_RC=$?
			_sn_err "n$k: herd-agentx exited with status $AGENTX_RC"
			break
		fi
		sleep 0.1
	done
	_sn_err "n$k: herd-agentx does not serve herdClusterName.0 (after ${AGENTX_WAIT}s)"
	_sn_tail "$d/herd-agentx.log"; _sn_tail "$d/snmpd.log" 5
	return 1
}

agentx_stop() { # K
	_cl_node_ok "${1:-}" || return 1
	local rc=0
	[ -n "${_sn_agentx[$1]:-}" ] || { AGENTX_RC=; return 0; }
	_sn_stop_pid "${_sn_agentx[$1]}" 5 || rc=$?
	_sn_agentx[$1]=
	AGENTX_RC=$rc
	return $rc
}

snmp_up() { # K
	_cl_node_ok "${1:-}" || return 1
	trapd_start "$1" && snmpd_start "$1" && agentx_start "$1"
}

snmp_down() { # K
	_cl_node_ok "${1:-}" || return 1
	local rc=0 d
	d=$(snmp_dir "$1")
	if [ -n "${_sn_agentx[$1]:-}" ]; then
		agentx_stop "$1" || { rc=1; _sn_err "n$1: herd-agentx exited with status $AGENTX_RC on SIGTERM"
			_sn_tail "$d/herd-agentx.log"; }
	fi
	snmpd_stop "$1" || true
	trapd_stop "$1"
	return $rc
}

# ---- queries --------------------------------------------------------------------

snmp_auth_args() {
	case $SNMP_AUTH in
	v2c) printf '%s\n' -v2c -c "$SNMP_COMMUNITY" ;;
	v3) printf '%s\n' -v3 -l authPriv -u "$SNMP_V3_USER" -a SHA -A "$SNMP_V3_AUTH" \
		-x AES -X "$SNMP_V3_PRIV" ;;
	*) _sn_err "SNMP_AUTH must be v2c or v3, not '$SNMP_AUTH'"; return 1 ;;
	esac
}

_sn_mibargs() {
	if snmp_names; then printf '%s\n' -M "$SNMP_MIBDIRS" -m HERD-MIB
	else printf '%s\n' -m ""; fi
}

# TOOL ARGS... -> tool AUTH MIB -t -r ARGS... AGENT (the last ARG stays last)
_sn_query() {
	local tool=$1 auth mib
	shift
	mapfile -t auth < <(snmp_auth_args) || return 1
	mapfile -t mib < <(_sn_mibargs)
	snmp_cmd "$SNMP_NODE" "$tool" "${auth[@]}" "${mib[@]}" -t "$SNMP_TIMEOUT" -r 1 \
		"${@:1:$#-1}" "127.0.0.1:$SNMP_PORT" "${@: -1}"
}

snmp_get() { # [OPTIONS...] OBJ...: values only
	local opts=() a
	for a in "$@"; do
		case $a in -*) opts+=("$a") ;; *) break ;; esac
	done
	shift ${#opts[@]}
	local auth mib
	mapfile -t auth < <(snmp_auth_args) || return 1
	mapfile -t mib < <(_sn_mibargs)
	snmp_cmd "$SNMP_NODE" snmpget "${auth[@]}" "${mib[@]}" -t "$SNMP_TIMEOUT" -r 1 -Oqv \
		"${opts[@]}" "127.0.0.1:$SNMP_PORT" "$@"
}

snmp_walk() { [ $# -gt 0 ] || set -- "$HERD_OID"; _sn_query snmpwalk "$@"; }
snmp_bulkwalk() { [ $# -gt 0 ] || set -- "$HERD_OID"; _sn_query snmpbulkwalk "$@"; }

# Numeric, MIB-less walk, one varbind per line: OID TYPE VALUE.
snmp_rawwalk() { # [bulk] [OID]
	local - tool=snmpwalk auth
	set -o pipefail
	[ "${1:-}" = bulk ] && { tool=snmpbulkwalk; shift; }
	mapfile -t auth < <(snmp_auth_args) || return 1
	snmp_cmd "$SNMP_NODE" "$tool" "${auth[@]}" -m "" -On -Ox -Ot -Oe -t "$SNMP_TIMEOUT" -r 1 \
		"127.0.0.1:$SNMP_PORT" "${1:-$HERD_OID}" | _sn_rawfmt
}

# Values only, no MIB: numbers, octet strings in hex, "" for an empty one.
snmp_rawget() { # [OPTIONS...] OID...
	local - auth
	set -o pipefail
	mapfile -t auth < <(snmp_auth_args) || return 1
	snmp_cmd "$SNMP_NODE" snmpget "${auth[@]}" -m "" -Oqv -Ox -Ot -Oe -t "$SNMP_TIMEOUT" -r 1 \
		"127.0.0.1:$SNMP_PORT" "$@" | sed -e 's/^"\(.*\)"$/\1/' -e 's/ *$//'
}

# ".1.3... = TYPE: VALUE" -> ".1.3... TYPE VALUE"; "= """: empty string.
_sn_rawfmt() {
	awk '{
		oid = $1
		rest = substr($0, length($1) + 4)
		sub(/ +$/, "", rest)
		if (rest == "\"\"") { print oid " STRING "; next }
		if (rest ~ /^[0-9]+$/) { print oid " Timeticks " rest; next }   # -Ot
		i = index(rest, ": ")
		if (i == 0) { t = rest; sub(/:$/, "", t); print oid " " t " "; next }
		print oid " " substr(rest, 1, i - 1) " " substr(rest, i + 2)
	}'
}

# ---- traps ----------------------------------------------------------------------

traps() { # [K]
	local k=${1:-$SNMP_NODE} d
	d=$CLUSTER_DIR/snmp$k
	# (a line that does not start a trap continues the one before)
	tail -n +"$(( ${_sn_mark[$k]:-0} + 1 ))" "$d/traps.log" 2>/dev/null | awk '
		/^TRAP / { if (t != "") print t; t = $0; next }
		t != "" { t = t " " $0 }
		END { if (t != "") print t }'
}

trap_mark() { # [K]
	local k=${1:-$SNMP_NODE}
	_sn_mark[$k]=$(wc -l <"$CLUSTER_DIR/snmp$k/traps.log" 2>/dev/null || echo 0)
}

wait_trap() { # PATTERN SECS
	local pat=$1 secs=${2:-5} deadline out
	deadline=$(( $(_cl_now_us) + $(_cl_secs_us "$secs") ))
	while :; do
		out=$(traps "$SNMP_NODE" | grep -E -- "$pat") && { printf '%s\n' "$out"; return 0; }
		[ "$(_cl_now_us)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# Of a trap line: "OID TYPE VALUE" of the first varbind whose OID starts
# with PREFIX (then a dot or the end).
trap_vb() { # LINE PREFIX
	printf '%s\n' "$1" | tr '\t' '\n' | tail -n +2 | _sn_rawfmt |
		awk -v p="$2" 'index($1, p) == 1 && (length($1) == length(p) || substr($1, length(p) + 1, 1) == ".") { print; exit }'
}
trap_val() { # LINE PREFIX -> VALUE, or <none>
	local vb
	vb=$(trap_vb "$@")
	[ -n "$vb" ] || { echo "<none>"; return; }
	vb=${vb#* }
	echo "${vb#* }"
}

# The OID of a trap line (snmpTrapOID.0's value).
trap_oid() { trap_val "$1" "$SNMP_TRAP_OID"; }

# ---- conversions ---------------------------------------------------------------------
# Each has a form that prints and a _form that sets REPLY (no subshell: the
# checks call them thousands of times).
#   hex2str HEX             "74 65 73 74" -> test (anything else as it is)
#   str2hex STRING          test -> "74 65 73 74"
#   dat2epoch HEX           DateAndTime octets -> seconds since the epoch
#                           (0 for the all-zero "never"; -1 if malformed)
#   iso2epoch ISO           2026-11-23T14:25:14Z -> seconds (null, "": 0)
#   inet_idx ADDR           the index of an InetAddressType, InetAddress pair:
#                           1.4.10.92.0.101, 2.16.253.146...
#   inet_hex ADDR           the InetAddress octets in hex: 0A 5C 00 65
#   str_idx STRING [implied]   an SnmpAdminString index: LEN.c.c.c (or c.c.c)
#   bits_num HEX            a BITS value -> the number whose bit n is BITS bit n
#   nodeset_hex PNN...      a HerdNodeSet for those nodes, trailing zero
#                           octets left out
_hex2str() {
	local h=${1// /} esc= i
	REPLY=
	[ -n "$h" ] || return 0
	if ! [[ $h =~ ^([0-9A-Fa-f]{2})+$ ]]; then REPLY=$1; return 0; fi
	for ((i = 0; i < ${#h}; i += 2)); do esc+="\\x${h:i:2}"; done
	printf -v REPLY '%b' "$esc"
}
hex2str() { _hex2str "$1"; printf '%s' "$REPLY"; }

_str2hex() {
	local s=$1 i out=() c
	for ((i = 0; i < ${#s}; i++)); do
		printf -v c '%02X' "'${s:i:1}"
		out+=("$c")
	done
	REPLY=${out[*]}
}
str2hex() { LC_ALL=C _str2hex "$1"; echo "$REPLY"; }

# Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil).
_sn_days() { # Y M D
	local y=$1 m=$2 d=$3 era yoe doy doe
	(( y -= m <= 2 ))
	(( era = (y >= 0 ? y : y - 399) / 400 ))
	(( yoe = y - era * 400 ))
	(( doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1 ))
	(( doe = yoe * 365 + yoe / 4 - yoe / 100 + doy ))
	REPLY=$(( era * 146097 + doe - 719468 ))
}

_dat2epoch() {
	local -a b
	read -ra b <<<"$1"
	if [ ${#b[@]} -ne 8 ] && [ ${#b[@]} -ne 11 ]; then REPLY=-1; return; fi
	local y=$(( 16#${b[0]} * 256 + 16#${b[1]} )) off=0
	if [ "$y" -eq 0 ]; then REPLY=0; return; fi
	_sn_days "$y" $((16#${b[2]})) $((16#${b[3]}))
	if [ ${#b[@]} -eq 11 ]; then
		(( off = 16#${b[9]} * 3600 + 16#${b[10]} * 60 ))
		[ "${b[8]}" = 2B ] || [ "${b[8]}" = 2b ] || off=$(( -off ))
	fi
	REPLY=$(( REPLY * 86400 + 16#${b[4]} * 3600 + 16#${b[5]} * 60 + 16#${b[6]} - off ))
}
dat2epoch() { _dat2epoch "$1"; echo "$REPLY"; }

_iso2epoch() {
	case $1 in null|"") REPLY=0; return ;; esac
	if [[ $1 =~ ^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?Z$ ]]; then
		_sn_days $((10#${BASH_REMATCH[1]})) $((10#${BASH_REMATCH[2]})) $((10#${BASH_REMATCH[3]}))
		REPLY=$(( REPLY * 86400 + 10#${BASH_REMATCH[4]} * 3600 + 10#${BASH_REMATCH[5]} * 60 + 10#${BASH_REMATCH[6]} ))
	else
		REPLY=$(date -u -d "$1" +%s 2>/dev/null || echo -1)
	fi
}
iso2epoch() { _iso2epoch "$1"; echo "$REPLY"; }

# IPv6 text -> its 16 octets in decimal, in _sn_oct.
_sn_v6_octets() {
	local a=$1 head tail g n i
	local -a hg=() tg=() out=()
	if [[ $a == *::* ]]; then
		head=${a%%::*} tail=${a#*::}
		[ -z "$head" ] || IFS=: read -ra hg <<<"$head"
		[ -z "$tail" ] || IFS=: read -ra tg <<<"$tail"
		n=$(( 8 - ${#hg[@]} - ${#tg[@]} ))
		out=("${hg[@]}")
		for ((i = 0; i < n; i++)); do out+=(0); done
		out+=("${tg[@]}")
	else
		IFS=: read -ra out <<<"$a"
	fi
	_sn_oct=()
	for g in "${out[@]}"; do _sn_oct+=($(( 16#$g >> 8 )) $(( 16#$g & 255 ))); done
}

_inet_idx() {
	local IFS=.
	case $1 in
	*:*) _sn_v6_octets "$1"; REPLY="2.16.${_sn_oct[*]}" ;;
	*) REPLY="1.4.$1" ;;
	esac
}
inet_idx() { _inet_idx "$1"; echo "$REPLY"; }

_inet_hex() {
	local o out=() c
	case $1 in
	*:*) _sn_v6_octets "$1" ;;
	*) IFS=. read -ra _sn_oct <<<"$1" ;;
	esac
	for o in "${_sn_oct[@]}"; do printf -v c '%02X' "$o"; out+=("$c"); done
	REPLY=${out[*]}
}
inet_hex() { _inet_hex "$1"; echo "$REPLY"; }

_str_idx() { # STRING [implied]
	local s=$1 i c out=
	for ((i = 0; i < ${#s}; i++)); do printf -v c '%d' "'${s:i:1}"; out+=.$c; done
	if [ "${2:-}" = implied ]; then REPLY=${out#.}; else REPLY=${#s}$out; fi
}
str_idx() { LC_ALL=C _str_idx "$@"; echo "$REPLY"; }

_bits_num() {
	local b n=0 i=0 k
	for b in $1; do
		for ((k = 0; k < 8; k++)); do
			(( (16#$b >> (7 - k)) & 1 )) && n=$(( n | (1 << (i * 8 + k)) ))
		done
		i=$((i + 1))
	done
	REPLY=$n
}
bits_num() { _bits_num "$1"; echo "$REPLY"; }

_nodeset_hex() {
	local -a oct=() out=()
	local p i c
	for p in "$@"; do
		i=$(( p / 8 ))
		while [ ${#oct[@]} -le $i ]; do oct+=(0); done
		oct[i]=$(( oct[i] | (128 >> (p % 8)) ))
	done
	for i in "${oct[@]}"; do printf -v c '%02X' "$i"; out+=("$c"); done
	REPLY=${out[*]}
}
nodeset_hex() { _nodeset_hex "$@"; echo "$REPLY"; }

# ---- HERD-MIB, read from mib/HERD-MIB.txt itself (no net-snmp MIB loading) --------
#
#   mib_load                fill MIB_OID[name] (numeric), MIB_KIND[name]
#                           (scalar, column, index, table, entry, notification,
#                           node), MIB_SYNTAX[name] (the SYNTAX's first word),
#                           MIB_BASE[name] (how snmp_rawwalk prints its type:
#                           INTEGER, Gauge32, Counter64, Timeticks, octets)
#                           and MIB_NAME[oid]; MIB_OBJECTS: every readable
#                           scalar and column, in MIB order
#   mib_name OID            NAME.INSTANCE for a numeric OID under herdMIB
#   mib_enum TC LABEL       the number of LABEL in TC's enumeration; labels
#                           compare without case and without - and _, so
#                           herdd's names work (PARTIALLYONLINE, not-needed,
#                           node-banned); empty when there is none
#   mib_tc_labels TC        "1 ok", "2 disconnected", ... one per line
_sn_mib=$_sn_top/mib/HERD-MIB.txt
mib_load() {
	[ -z "${MIB_LOADED:-}" ] || return 0
	declare -gA MIB_OID=() MIB_KIND=() MIB_SYNTAX=() MIB_NAME=() MIB_BASE=() MIB_ENUM=() MIB_LABEL=()
	declare -ga MIB_OBJECTS=()
	local name oid kind syntax what n label tc tcbase
	declare -A tcsyn=()
	while read -r what name oid kind syntax; do
		case $what in
		O)
			MIB_OID[$name]=$oid MIB_KIND[$name]=$kind MIB_SYNTAX[$name]=$syntax
			MIB_NAME[$oid]=$name
			case $kind in scalar|column) MIB_OBJECTS+=("$name") ;; esac ;;
		T) tcsyn[$name]=$oid ;;                                 # TC base syntax
		E) label=${kind,,}; label=${label//-/}; MIB_ENUM[$name|${label//_/}]=$oid  # TC n label
		   MIB_LABEL[$name|$oid]=$kind ;;
		esac
	done < <(awk '
		# TC ::= TEXTUAL-CONVENTION ... SYNTAX base { label(n), ... }
		$2 == "::=" && $3 == "TEXTUAL-CONVENTION" { tc = $1; next }
		tc != "" && /^ +SYNTAX / { print "T", tc, $2; insyn = 1 }
		tc != "" && insyn {
			line = $0
			while (match(line, /[a-zA-Z][a-zA-Z0-9]*\([0-9]+\)/)) {
				m = substr(line, RSTART, RLENGTH); line = substr(line, RSTART + RLENGTH)
				split(m, p, /[()]/); print "E", tc, p[2], p[1]
			}
			if ($0 ~ /\}/ || ($0 ~ /SYNTAX/ && $0 !~ /\{/)) { tc = ""; insyn = 0 }
			next
		}
		/^[a-z][A-Za-z0-9-]* +(OBJECT-TYPE|OBJECT IDENTIFIER|NOTIFICATION-TYPE|MODULE-IDENTITY|OBJECT-GROUP|NOTIFICATION-GROUP|MODULE-COMPLIANCE)/ {
			cur = $1; what[cur] = $2; syn[cur] = ""; acc[cur] = ""; order[++n] = cur
		}
		cur != "" && /^ +SYNTAX / && syn[cur] == "" { syn[cur] = $2 }
		cur != "" && /MAX-ACCESS/ { acc[cur] = $2 }
		cur != "" && /::= *\{/ {
			line = $0; sub(/.*::= *\{ */, "", line); sub(/ *\}.*/, "", line)
			split(line, pn, / +/); parent[cur] = pn[1]; num[cur] = pn[2]; cur = ""
		}
		function resolve(x) {
			if (x == "netSnmpPlaypen") return ".1.3.6.1.4.1.8072.9999.9999"
			if (!(x in parent)) return ""
			if (!(x in oid)) oid[x] = resolve(parent[x]) "." num[x]
			return oid[x]
		}
		END {
			for (i = 1; i <= n; i++) {
				x = order[i]; o = resolve(x)
				k = "node"
				if (what[x] == "NOTIFICATION-TYPE") k = "notification"
				else if (what[x] == "OBJECT-TYPE") {
					if (syn[x] == "SEQUENCE") k = "table"
					else if (acc[x] == "not-accessible" && parent[x] in syn && syn[parent[x]] == "SEQUENCE") k = "entry"
					else if (acc[x] == "not-accessible") k = "index"
					else if (parent[x] in syn && parent[parent[x]] in syn && syn[parent[parent[x]]] == "SEQUENCE") k = "column"
					else k = "scalar"
				}
				print "O", x, o, k, (syn[x] == "" ? "-" : syn[x])
			}
		}' "$_sn_mib")
	for name in "${!MIB_SYNTAX[@]}"; do
		syntax=${MIB_SYNTAX[$name]}
		[ -z "${tcsyn[$syntax]:-}" ] || syntax=${tcsyn[$syntax]}
		case $syntax in
		Counter64) tcbase=Counter64 ;;
		Gauge32|Unsigned32|InetAddressPrefixLength) tcbase=Gauge32 ;;
		Integer32|INTEGER|TruthValue|InetAddressType) tcbase=INTEGER ;;
		TimeTicks) tcbase=Timeticks ;;
		DateAndTime|SnmpAdminString|InetAddress|OCTET|BITS) tcbase=octets ;;
		*) tcbase=unknown ;;
		esac
		MIB_BASE[$name]=$tcbase
	done
	MIB_ENUM["TruthValue|true"]=1 MIB_ENUM["TruthValue|false"]=2
	MIB_LOADED=1
}

_mib_name() { # OID -> REPLY name.instance
	local o=$1 rest=
	while [ -n "$o" ]; do
		if [ -n "${MIB_NAME[$o]:-}" ]; then REPLY=${MIB_NAME[$o]}$rest; return 0; fi
		rest=.${o##*.}$rest
		o=${o%.*}
	done
	REPLY=$1
}
mib_name() { _mib_name "$1"; echo "$REPLY"; }

_sn_norm() { local s=${1,,}; s=${s//-/}; s=${s//_/}; echo "$s"; }

mib_tc_labels() { # TC
	local k
	for k in "${!MIB_LABEL[@]}"; do
		[[ $k == "$1|"* ]] && echo "${k#*|} ${MIB_LABEL[$k]}"
	done | sort -n
}

_mib_enum() { # TC LABEL
	local s=${2,,}
	s=${s//-/}; s=${s//_/}
	REPLY=${MIB_ENUM[$1|$s]:-}
}
mib_enum() { _mib_enum "$@"; echo "$REPLY"; }

# ---- values -----------------------------------------------------------------------
#
#   walk_load FILE          read an snmp_rawwalk output into WT[oid] (type)
#                           and WV[oid] (value); WOIDS: the OIDs in order
#   json_load PREFIX FILE   flatten a herdctl -j reply: J[PREFIX.path] (path:
#                           keys and array positions joined with dots) is a
#                           string as "s:HEX OCTETS" (UTF-8), anything else as
#                           JSON prints it (null, true, 12, 0.5);
#                           JT[PREFIX.path] a string's text (newlines as \n);
#                           JK[PREFIX.path] the keys of an object or the
#                           positions of an array, space-separated (JK[PREFIX]
#                           for the top)
#   jstr KEY / _jstr KEY    the string at J[KEY] as hex octets ("74 65"),
#                           the way snmp_rawwalk prints octet strings;
#                           "<null>" for null, "<absent>" when missing
walk_load() { # FILE
	declare -gA WT=() WV=()
	declare -ga WOIDS=()
	local oid type val
	while read -r oid type val; do
		WT[$oid]=$type WV[$oid]=$val
		WOIDS+=("$oid")
	done <"$1"
}

json_load() { # PREFIX FILE
	local kind k v t
	while IFS=$'\t' read -r kind k v t; do
		k=$1${k:+.$k}
		case $kind in
		V) J[$k]=$v; [ "${v:0:2}" != s: ] || JT[$k]=$t ;;
		K) JK[$k]=$v ;;
		R) JK[$1]=${k#"$1".} ;;        # the top: "R<TAB>keys"
		esac
	done < <(jq -r '
		def hex2: "0123456789ABCDEF" as $h | $h[(. / 16 | floor):(. / 16 | floor) + 1] + $h[(. % 16):(. % 16) + 1];
		def utf8: if . < 128 then [.]
			elif . < 2048 then [192 + (. / 64 | floor), 128 + (. % 64)]
			elif . < 65536 then [224 + (. / 4096 | floor), 128 + ((. / 64 | floor) % 64), 128 + (. % 64)]
			else [240 + (. / 262144 | floor), 128 + ((. / 4096 | floor) % 64), 128 + ((. / 64 | floor) % 64), 128 + (. % 64)] end;
		(paths(type | . == "object" or . == "array") as $p
		 | "K\t" + ($p | map(tostring) | join(".")) + "\t" + (getpath($p) | keys_unsorted | map(tostring) | join(" "))),
		("R\t" + (keys_unsorted | map(tostring) | join(" "))),
		(paths(type | . != "object" and . != "array") as $p
		 | getpath($p) as $v
		 | "V\t" + ($p | map(tostring) | join(".")) + "\t" +
		   (if ($v | type) == "string"
		    then "s:" + ([$v | explode[] | utf8[] | hex2] | join(" ")) + "\t" + ($v | gsub("\n"; "\\n") | gsub("\t"; "\\t"))
		    else ($v | tojson) end))' "$2")
}

_jstr() {
	local v=${J[$1]-<absent>}
	case $v in
	s:*) REPLY=${v#s:} ;;
	null) REPLY="<null>" ;;
	*) REPLY=$v ;;
	esac
}
jstr() { _jstr "$1"; echo "$REPLY"; }
