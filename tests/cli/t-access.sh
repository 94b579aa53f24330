# The control socket: root may do anything, members of the control group may
# read, anyone else is refused; malformed requests are dropped and counted,
# never crash herdd.
. "$(dirname "$0")/lib.sh"
single_setup
GID=47311
printf '[control]\ngroup = %s\n' "$GID" >>"$T/etc/herd.conf"
single_start

expect_eq "$(stat -c '%a %g' "$SOCK")" "660 $GID" "socket is 0660 and owned by the control group"

as() { local gid=$1; shift; setpriv --reuid=65534 --regid="$gid" "$@"; }
expect_rc 0 "a member (primary gid) may read status" -- \
	as "$GID" --clear-groups "$HERDCTL" -s "$SOCK" status
expect_rc 0 "a member (supplementary group) may read status" -- \
	as 65534 --groups "$GID" "$HERDCTL" -s "$SOCK" status
expect_rc 1 "a member may not reload" -- as "$GID" --clear-groups "$HERDCTL" -s "$SOCK" reload
expect_match "$OUT" "permission denied: 'reload' needs root" "and is told why"
expect_rc 1 "a non-member is refused" -- as 65534 --clear-groups "$HERDCTL" -s "$SOCK" status
expect_match "$OUT" "Permission denied" "with permission denied"

# Root-only socket when no group is configured (after a reload).
sed -i '/^\[control\]/,$d' "$T/etc/herd.conf"
expect_rc 0 "reload without a control group" -- hctl reload
expect_eq "$(stat -c '%a %g' "$SOCK")" "600 0" "socket is 0600 root-only"
expect_rc 1 "the former member is now refused" -- as "$GID" --clear-groups "$HERDCTL" -s "$SOCK" status

# Malformed input: garbage, a bad header, a non-request frame, bad JSON.
/usr/bin/python3 - "$SOCK" <<'PY' || fail "malformed-input client failed"
import socket, struct, sys, json
path = sys.argv[1]
def conn():
    s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(path); return s
def frame(typ, payload, magic=0x4843544c, version=1, length=None):
    n = len(payload) if length is None else length
    return struct.pack(">IBBHIiI", magic, version, typ, 0, 7, 0, n) + payload
def expect_closed(s, what):
    data = b""
    while True:
        d = s.recv(65536)
        if not d: break
        data += d
    print("ok - herdd closed the connection after", what)
    return data
s = conn(); s.sendall(b"GARBAGE GARBAGE GARBAGE!"); expect_closed(s, "garbage")
s = conn(); s.sendall(frame(1, b"{}", version=9)); expect_closed(s, "a bad version")
s = conn(); s.sendall(frame(1, b"", length=0x7fffffff)); expect_closed(s, "an oversized length")
s = conn(); s.sendall(frame(3, b"{}")); expect_closed(s, "an event frame from a client")
s = conn(); s.sendall(frame(1, b"{not json"))
data = expect_closed(s, "bad JSON")
hdr = struct.unpack(">IBBHIiI", data[:20])
assert hdr[5] < 0, hdr
assert b"malformed request" in data[20:], data
print("ok - bad JSON gets an error reply first")
s = conn(); s.sendall(frame(1, json.dumps({"verb": "nosuchverb"}).encode()))
h = s.recv(65536); assert struct.unpack(">IBBHIiI", h[:20])[5] < 0 and b"unknown verb" in h, h
print("ok - unknown verb gets an error reply")
s.sendall(frame(1, json.dumps({"verb": "ping"}).encode()))
h = s.recv(65536); assert struct.unpack(">IBBHIiI", h[:20])[5] == 0, h
print("ok - the same connection still works after an unknown verb")
# a frame split across many writes
s = conn(); f = frame(1, json.dumps({"verb": "status"}).encode())
for b in f: s.sendall(bytes([b]))
h = s.recv(65536); assert struct.unpack(">IBBHIiI", h[:20])[5] == 0, h
print("ok - a request sent a byte at a time is answered")
# a subscriber that asks for a reload and goes away at once: the event
# broadcast from inside the reload must not touch the dropped connection
for i in range(5):
    s = conn()
    s.sendall(frame(1, json.dumps({"verb": "subscribe"}).encode()))
    s.recv(65536)
    s.sendall(frame(1, json.dumps({"verb": "reload"}).encode()))
    s.close()
print("ok - subscribers that vanish during their own request are dropped safely")
PY
expect_rc 0 "herdd survived all of it" -- hctl status
expect_rc 0 "statistics -j" -- hctl -j statistics
expect_eq "$(printf '%s' "$OUT" | jq -r '.control.bad_frames')" 5 "the five malformed frames were counted"
expect_eq "$(printf '%s' "$OUT" | jq -r '.control.unknown_verbs')" 1 "the unknown verb was counted"
expect_match "$(printf '%s' "$OUT" | jq -r '.control.denied')" '^[1-9]' "the denied reload was counted"
expect_match "$(printf '%s' "$OUT" | jq -r '.control.by_verb.status')" '^[1-9]' "requests are counted by verb"
expect_rc 0 "statistics as text" -- hctl statistics
expect_match "$OUT" "control.bad_frames +5" "text statistics show the counter"
single_stop
expect_eq "$HERDD_RC" 0 "herdd exits 0"
