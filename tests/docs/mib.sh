#!/usr/bin/env bash
# HERD-MIB is clean: `smilint -l 6` prints nothing for it (smilint exits 0
# even on errors, so any output fails), net-snmp's snmptranslate loads it
# and its OIDs are the ones below (they are the contract: a renumbered
# object fails here), and every herdd event type has its HerdEventClass
# value and its notification herdNotifications.N with the right severity.
#
# The IETF modules come from HERD_IETF_MIBS (default ../shared/mibs beside
# the checkout, else /usr/share/snmp/mibs/ietf), NET-SNMP-MIB from net-snmp's
# own directory. Skipped (exit 77) when smilint, snmptranslate or those
# modules are missing.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/common.sh
top=$PWD
mib=$top/mib/HERD-MIB.txt

command -v smilint >/dev/null || skip "smilint is missing (Debian: smitools)"
command -v snmptranslate >/dev/null || skip "snmptranslate is missing (Debian: snmp)"

ietf=${HERD_IETF_MIBS:-}
if [ -z "$ietf" ]; then
	for d in "$top/../shared/mibs" /usr/share/snmp/mibs/ietf; do
		[ -e "$d/SNMPv2-SMI.txt" ] || [ -e "$d/SNMPv2-SMI" ] || continue
		ietf=$(cd "$d" && pwd)
		break
	done
fi
[ -z "${HERD_IETF_MIBS:-}" ] || [ -e "$ietf/SNMPv2-SMI.txt" ] || [ -e "$ietf/SNMPv2-SMI" ] ||
	fail "HERD_IETF_MIBS=$ietf has no SNMPv2-SMI"
[ -n "$ietf" ] || skip "no IETF MIB modules (SNMPv2-SMI, ...): set HERD_IETF_MIBS, or see ../shared/mibs/README.md"
netsnmp=
for d in $(net-snmp-config --default-mibdirs 2>/dev/null | tr : ' ') /usr/share/snmp/mibs; do
	[ -e "$d/NET-SNMP-MIB.txt" ] || continue
	netsnmp=$d
	break
done
[ -n "$netsnmp" ] || skip "NET-SNMP-MIB is missing (Debian: libsnmp-base)"
path=$ietf:$netsnmp:$top/mib
echo "# MIB path $path"

# ---- smilint ------------------------------------------------------------------
out=$(SMIPATH=$path smilint -c /dev/null -l 6 "$mib" 2>&1)
[ -z "$out" ] || fail "smilint -l 6 printed:
$out"
ok "smilint -c /dev/null -l 6 prints nothing"

# ---- snmptranslate ------------------------------------------------------------
tmp=$(mktemp -d)
cleanup_add "rm -rf '$tmp'"
mkdir "$tmp/cert_indexes" # else net-snmp says it created it
unset MIBS MIBDIRS
export SNMPCONFPATH=$tmp SNMP_PERSISTENT_DIR=$tmp
translate() { # ARGS...: snmptranslate with HERD-MIB only; fails on any stderr
	local err=$tmp/err rc
	snmptranslate -M "$path" -m HERD-MIB "$@" 2>"$err"
	rc=$?
	if [ $rc -ne 0 ] || [ -s "$err" ]; then
		echo "snmptranslate $* (exit $rc):" >&2
		cat "$err" >&2
		return 1
	fi
}

tree=$(translate -Tp HERD-MIB::herd) || fail "snmptranslate -Tp HERD-MIB::herd"
for name in herdNodeTable herdLinkTable herdScriptTable herdStatistics herdEventTable \
	herdPublicAddrTable herdIfTable herdNatgwNodeTable herdLvsNodeTable herdAgent \
	herdNotifications herdConformance; do
	grep -q -- "--$name(" <<<"$tree" || fail "snmptranslate -Tp herd does not show $name"
done
ok "snmptranslate -Tp HERD-MIB::herd shows the whole tree ($(wc -l <<<"$tree") lines)"

# NAME SUFFIX: NAME is $root SUFFIX.
root=.1.3.6.1.4.1.8072.9999.9999.4373
pinned="herd
herdMIB .1
herdNotifications .1.0
herdClusterName .1.1.1.1
herdClusterLeader .1.1.1.3
herdLocalVersion .1.1.2.1
herdNodeFlags .1.1.3.1.1.5
herdNodeState .1.1.3.1.1.6
herdLinkState .1.1.3.2.1.4
herdScriptStatus .1.1.4.3.1.2
herdControlVerbRequests .1.1.5.1.8.1.2
herdStatsElections .1.1.5.3.1
herdTransportDrops .1.1.5.4.6.1.2
herdPeerRtt .1.1.5.5.1.1.11
herdMonitorRuns .1.1.5.6.1
herdFailoverTakeovers .1.1.5.7.5
herdRolesFailures .1.1.5.8.2
herdEventSeq .1.1.6.3.1.2
herdPublicAddrNode .1.1.7.2.1.4
herdIfLinkState .1.1.8.2.1.2
herdNatgwRole .1.1.9.2
herdLvsNodeInSet .1.1.10.11.1.6
herdAgentNotificationsDropped .1.1.11.5
herdAgentRestarted .1.0.100
herdCompliance .1.2.1.1"
names=$(awk '{print $1}' <<<"$pinned")
want=$(awk -v r="$root" '{print r $2}' <<<"$pinned")
# shellcheck disable=SC2046
got=$(translate -On $(sed 's/^/HERD-MIB::/' <<<"$names")) || fail "snmptranslate -On"
got=$(sed '/^$/d' <<<"$got") # a blank line after each OID but the last
[ "$got" = "$want" ] || fail "OIDs are not the pinned ones (-pinned +now):
$(diff <(paste -d' ' <(echo "$names") <(echo "$want")) <(paste -d' ' <(echo "$names") <(echo "$got")))"
ok "the OIDs of $(wc -l <<<"$names") objects are as pinned"

got=$(translate "$root.1.1.7.2.1.4.1.4.10.92.0.101") ||
	fail "snmptranslate of an address-indexed instance"
expect_eq "$got" 'HERD-MIB::herdPublicAddrNode.ipv4."10.92.0.101"' \
	"InetAddressType and InetAddress index herdPublicAddrTable"
got=$(translate "$root.1.1.4.3.1.2.7.109.111.110.105.116.111.114.49.48.46.105.110.116.101.114.102.97.99.101") ||
	fail "snmptranslate of a script-indexed instance"
expect_eq "$got" "HERD-MIB::herdScriptStatus.\"monitor\".'10.interface'" \
	"event and script name index herdScriptTable"

# ---- every herdd event type has its enum value and its notification -----------
# event.h: the enum's order gives the numbers (EV_INIT = 1, then one by one);
# event.c: each type's name and default severity. (Few processes: forks are
# slow on a loaded machine.)
grep -q 'EV_INIT = 1,' agentd/event.h || fail "agentd/event.h: EV_INIT is no longer 1"
mapfile -t types < <(sed -n '/^enum herd_event_type {/,/EV__MAX/p' agentd/event.h |
	grep -oE '^\s*EV_[A-Z_]+' | tr -d '[:blank:]' | grep -vx EV__MAX)
[ ${#types[@]} -gt 30 ] || fail "could not read enum herd_event_type from agentd/event.h"
declare -A ev_name ev_sev
while read -r t name sev; do
	ev_name[$t]=$name ev_sev[$t]=${sev,,}
done < <(sed -nE 's/^\s*\[(EV_[A-Z_]+)\] = \{ "([a-z-]+)", SEV_([A-Z]+) \},.*/\1 \2 \3/p' agentd/event.c)
camel() { # NAME: node-banned -> NodeBanned, in $REPLY
	local part
	REPLY=
	for part in ${1//-/ }; do REPLY+=${part^}; done
}
notifs=()
for t in "${types[@]}"; do
	[ -n "${ev_name[$t]:-}" ] || fail "agentd/event.c has no name for $t"
	camel "${ev_name[$t]}"
	notifs+=("HERD-MIB::herd$REPLY")
done
classes=$(translate -Td HERD-MIB::herdEventType) || fail "snmptranslate -Td herdEventType"
classes=${classes//[$'\n\t']/ }
defs=$(translate -Td "${notifs[@]}") || fail "snmptranslate -Td of the event notifications"
declare -A def
cur=
while IFS= read -r line; do
	[[ $line =~ ^(herd[A-Za-z]+)\ NOTIFICATION-TYPE ]] && cur=${BASH_REMATCH[1]}
	[ -n "$cur" ] && def[$cur]+="$line "
	[[ $line == "::="* ]] && cur=
done <<<"$defs"
for i in "${!types[@]}"; do
	t=${types[i]} n=$((i + 1))
	name=${ev_name[$t]} sev=${ev_sev[$t]} notif=${notifs[i]#HERD-MIB::}
	camel "$name"
	[[ $classes =~ [{\ ]${REPLY,}\($n\) ]] ||
		fail "HerdEventClass lacks ${REPLY,}($n) for herdd's event type $name"
	d=${def[$notif]:-}
	[ -n "$d" ] || fail "no notification $notif for event type $name"
	d=${d//$'\t'/ }
	while [[ $d == *"  "* ]]; do d=${d//  / }; done
	[[ $d == *"herdNotifications(0) $n }"* ]] ||
		fail "$notif is not herdNotifications.$n (event type $n): $d"
	[[ $d == *"Event $name (severity $sev)"* ]] ||
		fail "$notif's DESCRIPTION does not say \"Event $name (severity $sev)\""
done
ok "all ${#types[@]} herdd event types have a HerdEventClass value and a notification with their severity"
