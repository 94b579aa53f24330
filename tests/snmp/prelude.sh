# tests/snmp/prelude.sh — what every SNMP test starts with: the harness,
# the SNMP stack helpers and checks, the skips (no namespaces, no net-snmp
# tools, no jq), the teardown trap and the MIB's names. Source it first.
_sp_dir=$(dirname "${BASH_SOURCE[0]}")
. "$_sp_dir/../lib/common.sh"
. "$_sp_dir/../cluster/lib.sh"
. "$_sp_dir/../cluster/checks.sh"
. "$_sp_dir/lib.sh"
. "$_sp_dir/checks.sh"
cluster_check || exit $?
snmp_check || exit $?
command -v jq >/dev/null || skip "jq is missing"
cluster_trap
mib_load

# NAT gateway and LVS on every node, so their objects have values:
# CLUSTER_CONF_EXTRA="...$SNMP_ROLES_CONF" and snmp_role_files NODEDIR in
# the setup hook.
SNMP_ROLES_CONF="[natgw]\nnodes file = natgw_nodes\npublic address = 10.92.0.190/24\npublic interface = pub0
private network = 10.91.0.0/24
[lvs]\nnodes file = lvs_nodes\npublic address = 10.92.0.180\npublic interface = pub0"
snmp_role_files() { # NODEDIR
	printf '10.91.0.10\n10.91.0.11\n10.91.0.12\n' >"$1/etc/natgw_nodes"
	printf '10.91.0.10\n10.91.0.11\n10.91.0.12\n' >"$1/etc/lvs_nodes"
}
