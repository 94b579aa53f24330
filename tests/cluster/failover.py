#!/usr/bin/env python3
"""tests/cluster/failover.py — small tools the failover cluster tests run
inside the namespaces (python3's standard library only).

  failover.py serve PORT TEXT         TCP server on every address: greets each
                                      client with TEXT and keeps it open
  failover.py connect ADDR PORT SECS  connect, print the greeting; exit 1 when
                                      nothing answers within SECS
  failover.py hold ADDR PORT FILE     connect, write "connected GREETING" to
                                      FILE, then wait; when the connection
                                      ends write "reset" or "closed" and the
                                      monotonic time
  failover.py reconnect ADDR PORT OLDTEXT SECS [T0_US|@FIFO]
                                      keep opening connections (a new one
                                      every 10 ms, none waited for) until
                                      one is greeted with something other
                                      than OLDTEXT; print the milliseconds
                                      since T0_US (wall clock µs, default:
                                      now) and the greeting; exit 1 when
                                      none within SECS. With @FIFO: print
                                      "ready", then read T0_US from FIFO
                                      and start (python starts slowly)
  failover.py unique LOG...           read `ip -ts -o monitor address` logs
                                      (one per node, named .../nK.mon) and
                                      fail if any address was ever configured
                                      on two nodes at the same time
"""
import errno
import re
import selectors
import socket
import sys
import time


def serve(port, text):
    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    srv.bind(("::", port))
    srv.listen(64)
    keep = []
    while True:
        c, _ = srv.accept()
        try:
            c.sendall((text + "\n").encode())
        except OSError:
            continue
        keep.append(c)


def connect(addr, port, secs):
    deadline = time.monotonic() + secs
    while True:
        try:
            s = socket.create_connection((addr, port), timeout=0.5)
            s.settimeout(1)
            data = s.recv(100).decode().strip()
            if data:
                print(data)
                return 0
        except OSError:
            pass
        if time.monotonic() >= deadline:
            return 1
        time.sleep(0.05)


def hold(addr, port, path):
    s = socket.create_connection((addr, port), timeout=2)
    s.settimeout(None)
    greeting = s.recv(100).decode().strip()
    with open(path, "w") as f:
        f.write("connected %s\n" % greeting)
    try:
        data = s.recv(100)
        how = "closed" if not data else "data"
    except ConnectionResetError:
        how = "reset"
    except OSError as e:
        how = "error %s" % e
    with open(path, "a") as f:
        f.write("%s %.3f\n" % (how, time.monotonic()))
    return 0


# A failover benchmark's client (tests/bench/failover.sh): while the address
# is moving, a SYN sent to the old node's MAC is lost and would only be
# retried after a second, and a connection the old node accepted just
# before it lost the address never gets its greeting. So a fresh connection
# is started every STEP seconds, none is ever waited for, and the first
# greeting from another node wins (at most PENDING kept open).
STEP = 0.01
PENDING = 100


def reconnect(addr, port, oldtext, secs, t0_arg):
    if t0_arg is not None and t0_arg.startswith("@"):
        with open(t0_arg[1:]) as f:
            print("ready", flush=True)
            t0_arg = f.readline().strip()
    t0 = int(t0_arg) / 1e6 if t0_arg is not None else time.time()
    deadline = time.monotonic() + secs
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    sel = selectors.DefaultSelector()
    pending = []

    def drop(c):
        sel.unregister(c)
        pending.remove(c)
        c.close()

    try:
        next_start = time.monotonic()
        while time.monotonic() < deadline:
            if time.monotonic() >= next_start:
                next_start = time.monotonic() + STEP
                s = socket.socket(family, socket.SOCK_STREAM)
                s.setblocking(False)
                err = s.connect_ex((addr, port))
                if err in (0, errno.EINPROGRESS):
                    sel.register(s, selectors.EVENT_WRITE)
                    pending.append(s)
                else:
                    s.close()
                if len(pending) > PENDING:
                    drop(pending[0])
            wait = max(0.0, next_start - time.monotonic())
            for key, events in sel.select(timeout=wait):
                c = key.fileobj
                if events & selectors.EVENT_WRITE:
                    # Connected (or failed): now wait for the greeting.
                    if c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                        drop(c)
                    else:
                        sel.modify(c, selectors.EVENT_READ)
                    continue
                try:
                    greeting = c.recv(100).decode().strip()
                except OSError:
                    greeting = ""
                if greeting and greeting != oldtext:
                    print("%.0f %s" % ((time.time() - t0) * 1000, greeting), flush=True)
                    return 0
                drop(c)
        return 1
    finally:
        for c in pending:
            c.close()


LINE = re.compile(r"^\[([^\]]+)\] (Deleted )?\d+: (\S+)\s+inet6? ([0-9a-f.:]+)/")


# `ip -ts monitor` stamps an event when it reads it, not when the kernel made
# it: a release on one node and the takeover on another about a millisecond
# later can appear the wrong way round when one reader runs late. Overlaps
# up to JITTER seconds are reported but do not fail; a node that never
# released (the failure this looks for) overlaps until the next change.
JITTER = 0.05


def stamp(ts):
    d, t = ts.split("T")
    h, m, sec = t.split(":")
    return int(h) * 3600 + int(m) * 60 + float(sec)


def unique(paths):
    events = []
    for path in paths:
        node = re.search(r"n(\d+)\.mon$", path).group(1)
        with open(path) as f:
            for line in f:
                m = LINE.match(line)
                if m:
                    events.append((m.group(1), node, m.group(4), m.group(2) is None))
    events.sort()
    holders = {}
    since = {}
    bad = 0
    worst = 0.0
    for ts, node, addr, added in events:
        h = holders.setdefault(addr, set())
        if added:
            h.add(node)
        else:
            h.discard(node)
        if len(h) > 1 and addr not in since:
            since[addr] = ts
        elif len(h) <= 1 and addr in since:
            start = since.pop(addr)
            length = stamp(ts) - stamp(start)
            worst = max(worst, length)
            if length > JITTER:
                bad += 1
                print("%s: %s on two nodes for %.3f s; its history:" % (start, addr, length))
                for e in events:
                    if e[2] == addr:
                        print("   %s node %s %s" % (e[0], e[1], "add" if e[3] else "del"))
    for addr, start in since.items():
        bad += 1
        print("%s: %s on nodes %s until the end" % (start, addr, ",".join(sorted(holders[addr]))))
    print("%d address changes checked, %d addresses, %d overlaps, longest apparent overlap %.1f ms"
          % (len(events), len(holders), bad, worst * 1000))
    return 1 if bad else 0


def main(argv):
    if len(argv) >= 3 and argv[1] == "serve":
        return serve(int(argv[2]), argv[3] if len(argv) > 3 else "hello")
    if len(argv) == 5 and argv[1] == "connect":
        return connect(argv[2], int(argv[3]), float(argv[4]))
    if len(argv) == 5 and argv[1] == "hold":
        return hold(argv[2], int(argv[3]), argv[4])
    if len(argv) in (6, 7) and argv[1] == "reconnect":
        return reconnect(argv[2], int(argv[3]), argv[4], float(argv[5]),
                         argv[6] if len(argv) == 7 else None)
    if len(argv) >= 3 and argv[1] == "unique":
        return unique(argv[2:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
