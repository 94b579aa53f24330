# The health monitor in a cluster: start-up waits in setup until a
# (simulated) shared storage check passes; a failing monitor script makes
# the node UNHEALTHY cluster-wide, fixing it makes it OK; scriptstatus shows
# each script's result; the node's event log names the failing script
# (collector-failed) and says when it works again (collector-recovered).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
cluster_check || exit $?
cluster_trap
export CLUSTER_CLIENT=0
export CLUSTER_CONF_EXTRA="[monitor]\ninterval = 300ms\nstartup retry = 200ms\nscript timeout = 2s"
write_scripts() { # K NODEDIR
	local d=$2/etc/events.d
	mkdir -p "$d"
	cat >"$d/00.storage" <<SH
#!/bin/sh
# setup waits for the shared storage (a file the test creates)
case "\$1" in
setup) [ -e "$CLUSTER_DIR/shared/storage-ready" ] || { echo "shared storage not mounted yet"; exit 1; } ;;
esac
exit 0
SH
	cat >"$d/50.service" <<SH
#!/bin/sh
case "\$1" in
monitor) if [ -e "$2/broken" ]; then echo "service check failed: port 445 not answering"; exit 1; fi ;;
esac
exit 0
SH
	# (written aside and renamed: the test never reads a half-written file)
	printf '#!/bin/sh\n[ "$1" = monitor ] && env > "%s/env.tmp" && mv "%s/env.tmp" "%s/env.txt"\nexit 0\n' "$2" "$2" "$2" >"$d/10.env"
	chmod +x "$d/10.env"
	printf '#!/bin/sh\nexit 1\n' >"$d/60.disabled"      # not executable: DISABLED
	printf 'junk\n' >"$d/50.service~"                    # editor leftover: ignored
	chmod +x "$d/00.storage" "$d/50.service"
}
export CLUSTER_SETUP_HOOK=write_scripts
mkdir_shared() { :; }
cluster_up 3 || fail "cluster_up"

phase_of() { node_herdctl "$1" -j status | jq -r .startup_phase; }
sleep 1
expect_eq "$(phase_of 1)" setup "start-up waits in setup while the storage is missing"
expect_eq "$(state_of 0 1)" UNHEALTHY "a node that has not started is UNHEALTHY"
expect_match "$(node_herdctl 1 scriptstatus)" "shared storage not mounted yet" \
	"scriptstatus shows why setup fails"
touch "$CLUSTER_DIR/shared/storage-ready"
wait_for 5 "storage ready: every node starts up and is OK" all_ok 0 1 2
expect_eq "$(phase_of 1)" monitor "node 1 runs the monitor loop"
expect_match "$(node_herdctl 1 events --type startup)" "startup" "startup is an event"

touch "$(node_dir 2)/broken"
unhealthy2() { local k; for k in 0 1 2; do [ "$(state_of "$k" 2)" = UNHEALTHY ] || return 1; done; }
wait_for 3 "a failing monitor makes node 2 UNHEALTHY everywhere" unhealthy2
expect_match "$(node_herdctl 2 status)" "Health:UNHEALTHY \(50.service: exit 1" "status says which script"
expect_rc 0 "scriptstatus" -- node_herdctl 2 scriptstatus
expect_match "$OUT" "50.service +ERROR" "scriptstatus marks the failing script"
expect_match "$OUT" "port 445 not answering" "and shows its output"
expect_match "$OUT" "60.disabled +DISABLED" "a non-executable script is DISABLED"
[[ "$OUT" != *"50.service~"* ]] || fail "an editor leftover was listed"
ok "editor leftovers are skipped"
expect_rc 0 "scriptstatus -j" -- node_herdctl 2 -j scriptstatus
expect_eq "$(printf '%s' "$OUT" | jq -r '.events[] | select(.event == "monitor") | .status')" ERROR \
	"JSON: the monitor event failed"
expect_match "$(node_herdctl 0 events --type unhealthy)" "node 2 is unhealthy" \
	"the other nodes record the unhealthy event"
expect_match "$(node_herdctl 2 events --type unhealthy --node 2)" "50.service: exit 1: service check failed" \
	"the node's own unhealthy event carries the failing script and its output"
expect_match "$(cat "$(node_dir 1)/env.txt")" "HERD_PNN=1" "scripts get HERD_PNN"
expect_match "$(cat "$(node_dir 1)/env.txt")" "HERD_CLUSTER=test" "and HERD_CLUSTER"
[[ "$(cat "$(node_dir 1)/env.txt")" != *LD_PRELOAD* ]] || fail "LD_PRELOAD leaked into a script"
ok "the scripts' environment is scrubbed"

# The failing script as a collector: once, with why; no other one.
coll() { # K TYPE: node K's events of TYPE, "node subject: detail" per line
	node_herdctl "$1" -j events --type "$2" --limit 1000 |
		jq -r '.events[] | "\(.node) \(.subject): \(.detail)"'
}
seq_of() { # K TYPE: the seq of node K's last event of TYPE
	node_herdctl "$1" -j events --type "$2" --limit 1000 | jq -r '.events[-1].seq // empty'
}
expect_eq "$(coll 2 collector-failed)" "2 50.service: exit 1: service check failed: port 445 not answering" \
	"collector-failed: node 2, 50.service, why (once, and no other collector)"
expect_eq "$(coll 2 collector-recovered)" "" "no collector-recovered while it fails"

rm "$(node_dir 2)/broken"
wait_for 3 "fixed: node 2 is OK again" all_ok 0 1 2
expect_match "$(node_herdctl 2 events --type healthy --limit 1)" "healthy" "healthy is an event"
wait_for 3 "collector-recovered on node 2" eval '[ -n "$(coll 2 collector-recovered)" ]'
expect_match "$(coll 2 collector-recovered)" \
	"^2 50\.service: works again after [0-9]+ failed runs? \(failing for [^)]+\)$" \
	"collector-recovered: 50.service works again, after how many failed runs"
[ "$(seq_of 2 collector-recovered)" -gt "$(seq_of 2 collector-failed)" ] ||
	fail "collector-recovered is not after collector-failed"
ok "collector-recovered comes after collector-failed"
expect_match "$(node_herdctl 2 events --type collector-failed)" "50.service" \
	"herdctl events shows the collector events as text too"
