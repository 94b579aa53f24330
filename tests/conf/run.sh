#!/usr/bin/env bash
# tests/conf/run.sh — golden tests of the configuration (herdd -n, herdd -nv).
#
# Run from anywhere; works from the top of the tree. Uses $HERD_BUILD/herdd
# (HERD_BUILD defaults to build; relative to the top of the tree).
#
#   good/NN.conf  herdd -nv -c tests/conf/good -f tests/conf/good/NN.conf must
#                 exit 0 and print NN.ok exactly; that output, saved as
#                 herd.conf in a copy of good/ (nodes files and all), must
#                 print the same bytes again; herdd -n must print nothing.
#   bad/NN.err    herdd with the arguments in NN.args (default: -n -c
#                 tests/conf/bad -f tests/conf/bad/NN.conf) must exit 1, print
#                 nothing on stdout and NN.err exactly on stderr. A case
#                 without NN.conf is the missing-file case.
#   generated     the example files in conf/ load; unreadable files (mode
#                 000, a directory that cannot be searched) give "Permission
#                 denied", checked as uid 65534 with setpriv when run as root.
#
# HERD_UPDATE_GOLDEN=1 rewrites the .ok and .err files from herdd's output
# (review the diff before committing). Exit 0: all passed; 1: a failure.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
build=${HERD_BUILD:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
herdd=$build/herdd
update=${HERD_UPDATE_GOLDEN:-}

if [ ! -x "$herdd" ]; then
	echo "conf: $herdd not found; build it first (make BUILD=... all)" >&2
	exit 1
fi

tmp=$(mktemp -d /tmp/herd-conf-test.XXXXXX) || exit 1
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP

pass=0 fail=0
ok() { pass=$((pass + 1)); printf '  ok    %s\n' "$1"; }
not_ok() { # NAME WHY [FILE_WITH_DETAILS]
	fail=$((fail + 1))
	printf '  FAIL  %s: %s\n' "$1" "$2"
	if [ $# -gt 2 ]; then sed 's/^/        | /' "$3"; fi
}

# -- good cases --------------------------------------------------------------
for conf in tests/conf/good/*.conf; do
	n=$(basename "$conf" .conf)
	name=good/$n
	okf=tests/conf/good/$n.ok
	"$herdd" -nv -c tests/conf/good -f "$conf" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ] || [ -s "$tmp/err" ]; then
		not_ok "$name" "herdd -nv exited $rc" "$tmp/err"
		continue
	fi
	if [ -n "$update" ]; then cp "$tmp/out" "$okf"; fi
	if ! diff -u "$okf" "$tmp/out" >"$tmp/diff" 2>&1; then
		not_ok "$name" "output differs from $okf" "$tmp/diff"
		continue
	fi
	"$herdd" -n -c tests/conf/good -f "$conf" >"$tmp/out-n" 2>&1
	rc=$?
	if [ $rc -ne 0 ] || [ -s "$tmp/out-n" ]; then
		not_ok "$name" "herdd -n exited $rc or printed something" "$tmp/out-n"
		continue
	fi
	# The printed configuration, as herd.conf next to the same files, must
	# load to the same configuration: the same bytes printed again.
	rt=$tmp/roundtrip
	rm -rf "$rt"
	mkdir "$rt"
	for f in tests/conf/good/*; do
		case $f in *.conf | *.ok) ;; *) cp "$f" "$rt/" ;; esac
	done
	cp "$tmp/out" "$rt/herd.conf"
	"$herdd" -nv -c "$rt" >"$tmp/out2" 2>"$tmp/err2"
	rc=$?
	if [ $rc -ne 0 ]; then
		not_ok "$name" "the printed configuration does not load (exit $rc)" "$tmp/err2"
		continue
	fi
	if ! diff -u "$tmp/out" "$tmp/out2" >"$tmp/diff" 2>&1; then
		not_ok "$name" "printing the printed configuration differs" "$tmp/diff"
		continue
	fi
	ok "$name"
done

# -- bad cases ---------------------------------------------------------------
# A case is NN with any of NN.conf, NN.args, NN.err; NN.err must exist.
shopt -s nullglob
cases=$(for f in tests/conf/bad/*.conf tests/conf/bad/*.args tests/conf/bad/*.err; do
	basename "${f%.*}"
done | sort -u)
for n in $cases; do
	name=bad/$n
	errf=tests/conf/bad/$n.err
	if [ ! -f "$errf" ] && [ -z "$update" ]; then
		not_ok "$name" "no $errf"
		continue
	fi
	if [ -f "tests/conf/bad/$n.args" ]; then
		read -r -a args <"tests/conf/bad/$n.args"
	else
		args=(-n -c tests/conf/bad -f "tests/conf/bad/$n.conf")
	fi
	"$herdd" "${args[@]}" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ -n "$update" ]; then cp "$tmp/err" "$errf"; fi
	if [ $rc -ne 1 ]; then
		not_ok "$name" "herdd ${args[*]} exited $rc, expected 1" "$tmp/err"
		continue
	fi
	if [ -s "$tmp/out" ]; then
		not_ok "$name" "herdd printed on stdout" "$tmp/out"
		continue
	fi
	if ! diff -u "$errf" "$tmp/err" >"$tmp/diff" 2>&1; then
		not_ok "$name" "stderr differs from $errf" "$tmp/diff"
		continue
	fi
	ok "$name"
done

# -- generated cases ---------------------------------------------------------
# expect_fail NAME EXPECTED_STDERR CMD...: exit 1 and exactly that message.
expect_fail() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	printf '%s\n' "$want" >"$tmp/want"
	if [ $rc -ne 1 ]; then
		not_ok "$name" "exited $rc, expected 1" "$tmp/err"
	elif ! diff -u "$tmp/want" "$tmp/err" >"$tmp/diff" 2>&1; then
		not_ok "$name" "stderr differs" "$tmp/diff"
	else
		ok "$name"
	fi
}

# The shipped examples load (make install puts herd.conf.example in place).
ex=$tmp/example
mkdir "$ex"
cp conf/herd.conf.example "$ex/herd.conf"
cp conf/nodes.example "$ex/nodes"
cp conf/public_addresses.example "$ex/public_addresses"
if "$herdd" -n -c "$ex" >"$tmp/err" 2>&1 && [ ! -s "$tmp/err" ]; then
	ok "generated/examples"
else
	not_ok "generated/examples" "conf/*.example do not load" "$tmp/err"
fi

# Unreadable files. Root reads anything, so as root run herdd as uid 65534
# (nobody) with setpriv; herdd itself is copied next to the files so that
# nobody can run it wherever the build lives.
ur=$tmp/unreadable
mkdir -p "$ur/locked"
cp "$herdd" "$ur/herdd"
printf '[cluster]\nnodes file = locked/nodes\n' >"$ur/locked.conf"
printf '10.0.0.1\n' >"$ur/nodes"
printf '10.0.0.1\n' >"$ur/locked/nodes"
printf '[cluster]\n' >"$ur/herd.conf"
cp "$ur/herd.conf" "$ur/mode000.conf"
chmod 000 "$ur/mode000.conf"
chmod 700 "$ur/locked"
chmod 711 "$tmp" "$ur"
chmod 755 "$ur/herdd"
chmod 644 "$ur/herd.conf" "$ur/locked.conf" "$ur/nodes"
as_nobody=()
if [ "$(id -u)" -eq 0 ]; then
	if command -v setpriv >/dev/null 2>&1; then
		as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	else
		as_nobody=(skip)
	fi
fi
if [ "${as_nobody[0]:-}" = skip ]; then
	echo "  skip  generated/unreadable: running as root without setpriv"
else
	# The mode-000 file in a directory nobody may search but not list.
	expect_fail generated/unreadable-file \
		"herdd: $ur/mode000.conf: cannot open: Permission denied" \
		"${as_nobody[@]}" "$ur/herdd" -n -c "$ur" -f "$ur/mode000.conf"
	# A nodes file in a directory nobody may not search (mode 700, root's).
	if [ "$(id -u)" -eq 0 ]; then
		expect_fail generated/unreadable-dir \
			"herdd: $ur/locked/nodes: cannot open: Permission denied" \
			"${as_nobody[@]}" "$ur/herdd" -n -c "$ur" -f "$ur/locked.conf"
	else
		chmod 000 "$ur/locked"
		expect_fail generated/unreadable-dir \
			"herdd: $ur/locked/nodes: cannot open: Permission denied" \
			"$ur/herdd" -n -c "$ur" -f "$ur/locked.conf"
	fi
fi

# A missing configuration directory.
expect_fail generated/missing-dir \
	"herdd: $tmp/no-such-dir/herd.conf: cannot open: No such file or directory" \
	"$herdd" -n -c "$tmp/no-such-dir"

echo "conf: $pass passed, $fail failed"
[ $fail -eq 0 ]
