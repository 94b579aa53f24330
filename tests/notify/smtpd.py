#!/usr/bin/python3
"""tests/notify/smtpd.py — a test SMTP server for herd's mail tests.

Debian's python3-aiosmtpd on 127.0.0.1 (run it with /usr/bin/python3: a
python3 earlier on PATH may lack Debian's modules). Each message it accepts
is stored in DIR as N.eml (the DATA as received, CRLF) with N.json beside it
(envelope sender, recipients, whether TLS was on, the AUTH login, and
accepted_us: the wall clock in µs when the DATA was complete, before the
message is stored and answered), both written atomically (a temporary, then
rename), so a test may count *.eml at any moment.

  smtpd.py --dir DIR [--port N] [--port-file FILE]
           [--tls-cert CERT --tls-key KEY [--require-starttls]]
           [--auth USER:PASSWORD]
           [--refuse-rcpt ADDR=CODE ...] [--refuse-data CODE] [--delay SECS]

--port 0 (the default) binds a free port and writes it to --port-file (or
DIR/port); the port file appears only once the server listens, so waiting
for it is waiting for the server. A server "down" is simply one the test
has killed; started again on the same port it carries on numbering after
the messages already in DIR. --refuse-rcpt answers RCPT TO for ADDR with
CODE (450: try again later, 550: no such user); --refuse-data answers the
end of DATA with CODE; --delay waits before answering DATA (timeouts).
Every RCPT refused is also appended to DIR/refused.log.
"""
import argparse
import asyncio
import json
import logging
import os
import signal
import ssl
import sys
import time
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def write_atomic(path, data):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)


class Handler:
    def __init__(self, args):
        self.dir = args.dir
        self.refuse_rcpt = {}
        for spec in args.refuse_rcpt or []:
            addr, _, code = spec.rpartition("=")
            self.refuse_rcpt[addr.lower()] = int(code)
        self.refuse_data = args.refuse_data
        self.delay = args.delay
        names = [n for n in os.listdir(self.dir) if n.endswith(".eml") and n[:-4].isdigit()]
        self.count = max([int(n[:-4]) for n in names], default=0)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.refuse_rcpt.get(address.lower())
        if code:
            with open(os.path.join(self.dir, "refused.log"), "a") as f:
                f.write(f"{code} {address}\n")
            return f"{code} {'4.2.0 try again later' if code < 500 else '5.1.1 no such user'}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse_data:
            return f"{self.refuse_data} refused by the test server"
        accepted_us = time.time_ns() // 1000
        self.count += 1
        n = self.count
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "auth": (session.auth_data.login.decode()
                     if isinstance(session.auth_data, LoginPassword) else None),
            "accepted_us": accepted_us,
        }
        write_atomic(os.path.join(self.dir, f"{n}.json"), json.dumps(meta).encode())
        write_atomic(os.path.join(self.dir, f"{n}.eml"), data)
        return "250 2.0.0 Message accepted for delivery"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--auth", help="USER:PASSWORD, AUTH required")
    p.add_argument("--refuse-rcpt", action="append", metavar="ADDR=CODE")
    p.add_argument("--refuse-data", type=int)
    p.add_argument("--delay", type=float, default=0)
    args = p.parse_args()
    # AUTH without TLS is what some tests want; say nothing about it.
    warnings.filterwarnings("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    os.makedirs(args.dir, exist_ok=True)

    tls = None
    if args.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
    user = password = None
    if args.auth:
        user, _, password = args.auth.partition(":")

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
              and auth_data.password.decode() == password)
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    handler = Handler(args)
    kwargs = dict(hostname="smtpd.test", ident="herd test smtpd",
                  data_size_limit=64 * 1024 * 1024)
    if tls:
        kwargs.update(tls_context=tls, require_starttls=args.require_starttls)
    if args.auth:
        kwargs.update(auth_required=True, auth_require_tls=False, authenticator=authenticator)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(
        loop.create_server(lambda: SMTP(handler, loop=loop, **kwargs), "127.0.0.1", args.port))
    port = server.sockets[0].getsockname()[1]
    write_atomic(args.port_file or os.path.join(args.dir, "port"), f"{port}\n".encode())
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
