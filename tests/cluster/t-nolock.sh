# Without a recovery lock (allowed, with a loud warning): failover still
# works, and a hung leader that wakes up does not take leadership back.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
cluster_check || exit $?
cluster_trap
export CLUSTER_CLIENT=0
cluster_up 3 || fail "cluster_up"
wait_for 6 "all OK" all_ok 0 1 2
wait_for 5 "one leader" agree_leader 0 1 2
L=$(agree_leader 0 1 2)
expect_match "$(node_herdctl 0 status)" "Recovery lock:none \(WARNING: split brain is possible\)" \
	"status warns that there is no lock"
expect_match "$(cat "$(node_log 0)")" "no recovery lock is configured" "so does the log at start"
O=""; for k in 0 1 2; do [ "$k" = "$L" ] || O="$O $k"; done
node_pause "$L"
newl() { local l; l=$(agree_leader $O) && [ "$l" != "$L" ]; }
wait_for 4 "a hung leader is replaced" newl
N=$(agree_leader $O)
node_resume "$L"
sleep 2
wait_for 4 "all OK after it wakes" all_ok 0 1 2
expect_eq "$(agree_leader 0 1 2)" "$N" "the woken node did not take leadership back"
