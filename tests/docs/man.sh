#!/usr/bin/env bash
# Every man page renders with `man -l` without a warning, and names every
# herdctl verb and every herd.conf section that the programs know.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/common.sh
export MANWIDTH=80
for page in doc/*.[1-8]; do
	out=$(LC_ALL=C.UTF-8 man --warnings=all -l "$page" 2>&1 >/dev/null)
	[ -z "$out" ] || fail "$page: man --warnings printed:
$out"
	[ -n "$(LC_ALL=C.UTF-8 man -l "$page" 2>/dev/null)" ] || fail "$page renders empty"
	ok "$page renders cleanly"
done
for page in herdd.8 herdctl.1 herd.conf.5; do
	[ -e "doc/$page" ] || fail "doc/$page is missing"
done
# herdctl(1) documents every verb herdctl --help lists.
for v in $("$HERDCTL" --help | awk '/^Verbs:/{f=1;next} f && /^  [a-z]/{print $1}'); do
	grep -q "^\.B $v\|^\.SS $v\|^\.TP\n\.B $v" doc/herdctl.1 || grep -qE "^\.B(R)? $v( |$)" doc/herdctl.1 ||
		fail "doc/herdctl.1 does not document the verb '$v'"
done
ok "herdctl(1) documents every verb"
# herd.conf(5) documents every key herdd -nv prints.
cfg=$(mktemp -d); trap 'rm -rf "$cfg"' EXIT
echo 127.0.0.1 >"$cfg/nodes"; : >"$cfg/herd.conf"
"$HERDD" -nv -c "$cfg" | awk -F' = ' '/^[a-z].* = /{print $1}' | while read -r key; do
	grep -qF "$key" doc/herd.conf.5 || { echo "doc/herd.conf.5 does not document '$key'"; exit 1; }
done || fail "herd.conf(5) is missing keys"
ok "herd.conf(5) documents every key"
