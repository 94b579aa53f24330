#!/usr/bin/env bash
# tests/check-deps.sh — fail when a file includes across herd's layering
# (doc/ARCHITECTURE.md, "Layering"), and when a header does not compile on
# its own.
#
# Layers, from the bottom:
#   base       agentd/{util,log,buf,proto,auth,ctlproto,state,ctlclient,
#              event,clusterop,addr,ipop,child}
#   conf       conf/                          may include base
#   subsystems failover/ collectors/ notify.d/ mib/ and agentd's cluster
#              files (everything in agentd/ that is neither base nor glue)
#                                             may include base, conf, itself
#   glue       agentd/{herdd,daemon,ctlsrv,ctlcmd,pidfile,herdctl}
#                                             may include anything
#   tests      tests/                         may include anything
set -u
cd "$(dirname "$0")/.."

layer() {
	case $1 in
	agentd/util.[ch]|agentd/log.[ch]|agentd/buf.[ch]|agentd/proto.[ch]|agentd/auth.[ch]|\
	agentd/ctlproto.[ch]|agentd/state.[ch]|agentd/ctlclient.[ch]|agentd/event.[ch]|agentd/clusterop.[ch]|agentd/addr.[ch]|agentd/ipop.[ch]|\
	agentd/child.[ch]) echo base ;;
	agentd/herdd.c|agentd/daemon*.[ch]|agentd/ctlsrv.[ch]|agentd/ctlcmd*.[ch]|\
	agentd/pidfile.[ch]|agentd/herdctl*.[ch]|agentd/statustext.[ch]) echo glue ;;
	agentd/*) echo cluster ;;
	conf/*) echo conf ;;
	failover/*) echo failover ;;
	collectors/*) echo collectors ;;
	notify.d/*) echo notify ;;
	mib/*) echo mib ;;
	tests/*) echo tests ;;
	*) echo unknown ;;
	esac
}

allowed() { # FROM TO
	case $1 in
	base) [ "$2" = base ] ;;
	conf) [ "$2" = base ] || [ "$2" = conf ] ;;
	glue|tests) true ;;
	*) [ "$2" = base ] || [ "$2" = conf ] || [ "$2" = "$1" ] ;;
	esac
}

bad=0
files=$(find agentd conf failover collectors notify.d mib -name '*.[ch]' 2>/dev/null | sort)
for f in $files; do
	from=$(layer "$f")
	while IFS= read -r inc; do
		[ -n "$inc" ] || continue
		if [ ! -e "$inc" ]; then
			echo "$f: includes \"$inc\", which does not exist (use paths from the top: \"agentd/log.h\")"
			bad=1; continue
		fi
		to=$(layer "$inc")
		if ! allowed "$from" "$to"; then
			echo "$f ($from) includes $inc ($to): not allowed by the layering"
			bad=1
		fi
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done

# Every header compiles on its own.
cflags="-std=gnu11 -D_GNU_SOURCE -I. -DHERD_PKG_VERSION=\"x\" -DHERD_SYSCONFDIR=\"x\" $(pkg-config --cflags libsystemd json-c libcrypto 2>/dev/null)"
for h in $(printf '%s\n' $files | grep '\.h$'); do
	if ! out=$(printf '#include "%s"\n' "$h" | ${CC:-cc} $cflags -Wall -Werror -fsyntax-only -x c - 2>&1); then
		echo "$h does not compile on its own:"; echo "$out" | head -5
		bad=1
	fi
done
[ $bad -eq 0 ] && echo "check-deps: $(echo "$files" | wc -l) files follow the layering; every header compiles alone"
exit $bad
