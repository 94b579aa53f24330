# tests/snmp/checks.sh — comparing what herd-agentx serves and sends with
# what `herdctl -j` says. Source after tests/lib/common.sh, the cluster
# harness and tests/snmp/lib.sh (and call mib_load).
#
# Mismatches are collected, not fatal, so that one run names every object
# that is wrong (object.instance, expected, got):
#   want DESC GOT EXP...        a mismatch unless GOT is one of EXP...
#   want_range DESC GOT LO HI   a mismatch unless LO <= GOT <= HI (integers)
#   mismatch DESC TEXT          record one
#   mismatches_report WHAT      print them all; status 1 when there are any
#                               (checked values counted in CHECKED)
#
# Snapshots: snap PREFIX K loads node K's herdctl -j replies of every verb
# herd-agentx serves into J/JT/JK[PREFIX.VERB.path] (json_load).
#
# Values of a loaded walk (walk_load) by MIB name (these set REPLY: the
# checks run thousands of them, and a $(...) costs a fork):
#   _wv NAME [INSTANCE]         the value ("<absent>" if not in the walk);
#                               INSTANCE defaults to 0 (a scalar)
#   _jconv CONV KEY             J[KEY] converted the way herd-agentx must:
#                               num, pnn (null -1), truth (absent false),
#                               str, date (epoch s), inettype, inet,
#                               enum:TC, us (ms times 1000, rounded), int0
#                               (null or absent 0)
#   _sconv CONV VALUE           the walk's VALUE made comparable (date:
#                               DateAndTime to epoch s; others as they are)
#   want_obj NAME INSTANCE CONV KEY   the object against J[b.KEY] or J[a.KEY]
#   want_ctr NAME INSTANCE KEY  a counter or gauge between J[b.KEY] and J[a.KEY]
#   check_types                 every OID of the walk is a scalar or column of
#                               HERD-MIB with the type its SYNTAX says; fills
#                               PRESENT[name]
#   check_all_objects [EXCEPT...]  every readable object has an instance
#   want_rows NAME INSTANCES    the column's instances are exactly those
#
# Traps: check_event_trap K LINE N [EVENT-JSON] checks a herdNotifications.N
# line of node K's traps.log against node K's herdctl -j events (or the
# event given as JSON, wall_us null and wall_lo/wall_hi in seconds instead):
# the common varbinds, in order, and their values. It sets TRAP_SEQ to the
# event's sequence number (the event is then in J[ev.*]). Call it directly, never in $(...): the
# mismatches would be lost with the subshell.

declare -ga MISMATCHES=()
CHECKED=0
SNAP_VERBS="status uptime version statistics scriptstatus ip ifaces natgw lvs events"

mismatch() { MISMATCHES+=("$1: $2"); }

want() { # DESC GOT EXP...
	local desc=$1 got=$2 e
	shift 2
	CHECKED=$((CHECKED + 1))
	for e in "$@"; do [ "$got" = "$e" ] && return 0; done
	if [ $# -gt 1 ] && [ "$1" != "$2" ]; then
		mismatch "$desc" "expected '$1' (or '$2'), got '$got'"
	else
		mismatch "$desc" "expected '$1', got '$got'"
	fi
	return 1
}

want_range() { # DESC GOT LO HI
	CHECKED=$((CHECKED + 1))
	if [[ $2 =~ ^-?[0-9]+$ ]] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then
		return 0
	fi
	mismatch "$1" "expected $3..$4, got '$2'"
	return 1
}

mismatches_report() { # WHAT
	if [ ${#MISMATCHES[@]} -eq 0 ]; then
		ok "$1: all $CHECKED checks pass"
		return 0
	fi
	echo "# $1: ${#MISMATCHES[@]} of $CHECKED checks fail:" >&2
	printf '#   %s\n' "${MISMATCHES[@]}" >&2
	return 1
}

snap_clear() { J=() JT=() JK=(); }

snap() { # PREFIX K
	local v f
	for v in $SNAP_VERBS; do
		f=$CLUSTER_DIR/snap.$1.$v.json
		if [ "$v" = events ]; then
			node_herdctl "$2" -j events --limit 100000 >"$f" || return 1
		else
			node_herdctl "$2" -j "$v" >"$f" || return 1
		fi
		json_load "$1.$v" "$f"
	done
}

jkeys() { echo "${JK[$1]:-}"; }

_wv() { # NAME [INSTANCE]
	local o=${MIB_OID[$1]:?unknown object $1}.${2:-0}
	REPLY=${WV[$o]-<absent>}
}

_jconv() { # CONV KEY
	local v=${J[$2]-<absent>}
	case $1 in
	num) REPLY=$v ;;
	int0) case $v in null|"<absent>") REPLY=0 ;; *) REPLY=$v ;; esac ;;
	pnn) case $v in null) REPLY=-1 ;; *) REPLY=$v ;; esac ;;
	truth) case $v in true) REPLY=1 ;; *) REPLY=2 ;; esac ;;
	str) case $v in null|"<absent>") REPLY= ;; *) REPLY=${v#s:} ;; esac ;;
	date) case $v in null|"<absent>") REPLY=0 ;; *) _iso2epoch "${JT[$2]}" ;; esac ;;
	inettype) case $v in null|"<absent>") REPLY=0 ;; *) case ${JT[$2]} in *:*) REPLY=2 ;; *) REPLY=1 ;; esac ;; esac ;;
	inet) case $v in null|"<absent>") REPLY= ;; *) _inet_hex "${JT[$2]}" ;; esac ;;
	enum:*) _mib_enum "${1#enum:}" "${JT[$2]-$v}" ;;
	us) case $v in null|"<absent>") REPLY=0 ;; *)
		# duration_ms is a decimal number: round(ms * 1000) without a fork
		local int=${v%%.*} frac= r
		[ "$int" = "$v" ] || frac=${v#*.}
		frac=${frac}0000; r=${frac:3:1}
		REPLY=$(( 10#${int:-0} * 1000 + 10#${frac:0:3} + (10#$r >= 5) )) ;; esac ;;
	*) echo "_jconv: no conversion $1" >&2; REPLY="<bad conversion $1>" ;;
	esac
}

_sconv() { # CONV VALUE
	case $1:$2 in
	*:"<absent>") REPLY=$2 ;;
	date:*) _dat2epoch "$2" ;;
	*) REPLY=$2 ;;
	esac
}

want_obj() { # NAME INSTANCE CONV KEY (KEY without the b./a. prefix)
	local got e1
	_wv "$1" "$2"; _sconv "$3" "$REPLY"; got=$REPLY
	_jconv "$3" "b.$4"; e1=$REPLY
	_jconv "$3" "a.$4"
	want "$1.$2 ($4)" "$got" "$e1" "$REPLY"
}

want_ctr() { # NAME INSTANCE KEY
	local got lo hi t
	_wv "$1" "$2"; got=$REPLY
	_jconv int0 "b.$3"; lo=${REPLY%.*}
	_jconv int0 "a.$3"; hi=${REPLY%.*}
	[ "$lo" -le "$hi" ] 2>/dev/null || { t=$lo; lo=$hi; hi=$t; }
	want_range "$1.$2 ($3)" "$got" "$lo" "$hi"
}

check_types() {
	local o name base t
	declare -gA PRESENT=()
	for o in "${WOIDS[@]}"; do
		_mib_name "$o"
		name=${REPLY%%.*}
		PRESENT[$name]=1
		CHECKED=$((CHECKED + 1))
		case ${MIB_KIND[$name]:-} in
		scalar|column) ;;
		"") mismatch "$o" "not an object of HERD-MIB"; continue ;;
		*) mismatch "$REPLY" "served, but $name is a ${MIB_KIND[$name]}"; continue ;;
		esac
		base=${MIB_BASE[$name]} t=${WT[$o]}
		case $base in
		octets) [ "$t" = Hex-STRING ] || [ "$t" = STRING ] || mismatch "$REPLY" "type $t, expected an OCTET STRING" ;;
		*) [ "$t" = "$base" ] || mismatch "$REPLY" "type $t, expected $base" ;;
		esac
	done
}

check_all_objects() { # EXCEPT...
	local o
	for o in "${MIB_OBJECTS[@]}"; do
		[[ " $* " == *" $o "* ]] && continue
		CHECKED=$((CHECKED + 1))
		[ -n "${PRESENT[$o]:-}" ] || mismatch "$o" "no instance in the walk"
	done
}

# The instances (index parts) a column has in the walk.
instances() { # NAME
	local p=${MIB_OID[$1]}. o
	for o in "${WOIDS[@]}"; do
		[[ $o == "$p"* ]] && echo "${o#"$p"}"
	done
}

want_rows() { # NAME EXPECTED-INSTANCES (one per line)
	local got exp
	got=$(instances "$1" | sort | tr '\n' ' ')
	exp=$(printf '%s\n' "$2" | sed '/^$/d' | sort | tr '\n' ' ')
	want "rows of $1 (by index)" "${got% }" "${exp% }"
}

# ---- traps ------------------------------------------------------------------------

# The common varbinds of an event notification, in the MIB's order.
EVENT_VB_NAMES="herdEventSeq herdEventTime herdEventSeverity herdClusterName herdEventReporter herdEventNode herdEventSubject herdEventDetail"

# The OIDs of a trap line's varbinds after sysUpTime.0 and snmpTrapOID.0.
trap_oids() { # LINE
	printf '%s\n' "$1" | tr '\t' '\n' | tail -n +2 | awk '{print $1}' |
		grep -v -e '^\.1\.3\.6\.1\.2\.1\.1\.3\.0$' -e "^${SNMP_TRAP_OID//./\\.}\$"
}

check_event_trap() { # K LINE N [EVENT-JSON]
	local k=$1 line=$2 n=$3 given=${4:-} seq i name want_oid f key type
	local -a o
	TRAP_SEQ=
	want "n$k trap herdNotifications.$n: snmpTrapOID.0" "$(trap_oid "$line")" "$HERD_NOTIF.$n"
	seq=$(trap_val "$line" "${MIB_OID[herdEventSeq]}")
	if ! [[ $seq =~ ^[0-9]+$ ]]; then
		mismatch "n$k trap herdNotifications.$n" "no herdEventSeq varbind: $line"
		return 1
	fi
	mapfile -t o < <(trap_oids "$line")
	i=0
	for name in $EVENT_VB_NAMES; do
		if [ "$name" = herdClusterName ]; then want_oid=${MIB_OID[$name]}.0
		else want_oid=${MIB_OID[$name]}.$seq; fi
		want "n$k trap $n (seq $seq): varbind $((i + 1))" "${o[i]:-<none>}" "$want_oid"
		i=$((i + 1))
	done
	f=$CLUSTER_DIR/trapev.$k.json
	if [ -n "$given" ]; then
		# an event herdctl can no longer show (herdd's shutdown): as given
		printf '%s\n' "$given" | jq -c --argjson s "$seq" '. + {seq: $s}' >"$f"
	else
		node_herdctl "$k" -j events --limit 100000 | jq -c --argjson s "$seq" '.events[] | select(.seq == $s)' >"$f"
	fi
	if [ ! -s "$f" ]; then
		mismatch "n$k trap $n (seq $seq)" "herdctl events on n$k has no event $seq"
		return 1
	fi
	for key in "${!J[@]}"; do [[ $key == ev.* ]] && unset "J[$key]"; done
	json_load ev "$f"
	type=${JT[ev.type]}
	_mib_enum HerdEventClass "$type"
	want "n$k trap $n (seq $seq): the event's type ($type)" "$REPLY" "$n"
	_jconv enum:HerdSeverity ev.severity
	want "n$k trap $n (seq $seq): herdEventSeverity" "$(trap_val "$line" "${MIB_OID[herdEventSeverity]}.$seq")" "$REPLY"
	_str2hex test
	want "n$k trap $n (seq $seq): herdClusterName" "$(trap_val "$line" "${MIB_OID[herdClusterName]}.0")" "$REPLY"
	_jconv pnn ev.reporter
	want "n$k trap $n (seq $seq): herdEventReporter" "$(trap_val "$line" "${MIB_OID[herdEventReporter]}.$seq")" "$REPLY"
	_jconv pnn ev.node
	want "n$k trap $n (seq $seq): herdEventNode" "$(trap_val "$line" "${MIB_OID[herdEventNode]}.$seq")" "$REPLY"
	_jconv str ev.subject
	want "n$k trap $n (seq $seq): herdEventSubject" "$(trap_val "$line" "${MIB_OID[herdEventSubject]}.$seq")" "$REPLY"
	_jconv str ev.detail
	want "n$k trap $n (seq $seq): herdEventDetail" "$(trap_val "$line" "${MIB_OID[herdEventDetail]}.$seq")" "$REPLY"
	_dat2epoch "$(trap_val "$line" "${MIB_OID[herdEventTime]}.$seq")"
	if [ "${J[ev.wall_us]:-null}" != null ]; then
		want "n$k trap $n (seq $seq): herdEventTime" "$REPLY" "$(( ${J[ev.wall_us]} / 1000000 ))"
	else
		want_range "n$k trap $n (seq $seq): herdEventTime (between ev.wall_lo and ev.wall_hi)" "$REPLY" \
			"${J[ev.wall_lo]:-0}" "${J[ev.wall_hi]:-0}"
	fi
	TRAP_SEQ=$seq
}
