# The membership test (t-membership.sh) on 5 nodes.
MEMBERSHIP_NODES=5 exec bash "$(dirname "$0")/t-membership.sh"
