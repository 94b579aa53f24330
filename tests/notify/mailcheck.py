#!/usr/bin/python3
"""tests/notify/mailcheck.py — check the notification mails smtpd.py stored.

  mailcheck.py DIR [--count N | --min N --max N] [--seqs 1-3,101-104]
               [--subject REGEX] [--rcpt ADDR ...] [--tls] [--auth USER]
               [--status-marker TEXT] [--no-status N]

Parses every DIR/N.eml with Python's email package and checks what each
notification mail must have: Date, From, To, Subject, Message-ID,
MIME-Version 1.0, text/plain UTF-8, a known transfer encoding, CRLF line
ends, no line over 998 octets, the events table, and the cluster status.
Then: how many mails came (--count, or --min/--max), that no Message-ID
came twice, and that the table rows of all mails together list exactly
the sequence numbers given by --seqs, each once (none lost, none
duplicated). --rcpt: the envelope recipients each mail had (from N.json);
--tls / --auth: each was sent under STARTTLS / AUTH as USER. Each mail
carries the cluster status (--status-marker, from mail-driver's text) but
--no-status N of them, which say "(not available)" (mails composed as the
sink is freed).
Prints a summary line; exits 1 with the reasons on a failure.
"""
import argparse
import email
import email.policy
import json
import os
import re
import sys

ROW = re.compile(r"^(\d+)\s+(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\s+(\S+)\s+"
                 r"(info|notice|warning|error|critical)\s+(\S+)\s+(.*)$")
SUBJECT = re.compile(r"^(\[[^\]]*\] )?\S+: (node \d+|nodes [\d, ]+|\d+ nodes|cluster): "
                     r"(info|notice|warning|error|critical): (\d+) events?(: \S+)?$")


def seq_set(spec):
    out = []
    for part in spec.split(","):
        if "-" in part:
            a, b = part.split("-")
            out.extend(range(int(a), int(b) + 1))
        elif part:
            out.append(int(part))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--count", type=int)
    p.add_argument("--min", type=int)
    p.add_argument("--max", type=int)
    p.add_argument("--seqs")
    p.add_argument("--subject")
    p.add_argument("--rcpt", action="append")
    p.add_argument("--tls", action="store_true")
    p.add_argument("--auth")
    p.add_argument("--status-marker", default="STATUS-MARKER")
    p.add_argument("--no-status", type=int, default=0)
    a = p.parse_args()

    errors = []
    names = sorted((n for n in os.listdir(a.dir) if re.fullmatch(r"\d+\.eml", n)),
                   key=lambda n: int(n[:-4]))
    ids, seqs = [], []
    no_status = 0
    for n in names:
        raw = open(os.path.join(a.dir, n), "rb").read()
        meta = json.load(open(os.path.join(a.dir, n[:-4] + ".json")))
        where = f"{n}"
        # smtpd.py stores DATA as received: CRLF line ends, SMTP limits.
        for i, line in enumerate(raw.split(b"\r\n")[:-1]):
            if b"\n" in line or b"\r" in line:
                errors.append(f"{where}: line {i + 1}: a bare CR or LF")
            if len(line) > 998:
                errors.append(f"{where}: line {i + 1}: {len(line)} octets")
        m = email.message_from_bytes(raw, policy=email.policy.default)
        for h in ("Date", "From", "To", "Subject", "Message-ID", "MIME-Version"):
            if m[h] is None:
                errors.append(f"{where}: no {h} header")
        if m["MIME-Version"] != "1.0":
            errors.append(f"{where}: MIME-Version {m['MIME-Version']}")
        if m.get_content_type() != "text/plain" or m.get_content_charset() != "utf-8":
            errors.append(f"{where}: Content-Type {m['Content-Type']}")
        if m["Content-Transfer-Encoding"] not in ("7bit", "quoted-printable"):
            errors.append(f"{where}: Content-Transfer-Encoding {m['Content-Transfer-Encoding']}")
        if m["Auto-Submitted"] != "auto-generated":
            errors.append(f"{where}: Auto-Submitted {m['Auto-Submitted']}")
        subject = str(m["Subject"] or "")
        sm = SUBJECT.match(subject)
        if not sm:
            errors.append(f"{where}: subject '{subject}' is not the herd form")
        elif a.subject and not re.search(a.subject, subject):
            errors.append(f"{where}: subject '{subject}' does not match /{a.subject}/")
        ids.append(str(m["Message-ID"]))
        body = m.get_content().replace("\r\n", "\n")
        rows = [ROW.match(line) for line in body.splitlines()]
        rows = [r for r in rows if r]
        if not rows:
            errors.append(f"{where}: no events table")
        if sm and int(sm.group(4)) != len(rows):
            errors.append(f"{where}: subject says {sm.group(4)} events, table has {len(rows)}")
        if m["X-Herd-Events"] and int(m["X-Herd-Events"]) != len(rows):
            errors.append(f"{where}: X-Herd-Events {m['X-Herd-Events']}, table {len(rows)}")
        seqs.extend(int(r.group(1)) for r in rows)
        if "Cluster status at " not in body:
            errors.append(f"{where}: no cluster status section")
        elif "\n(not available)\n" in body:
            no_status += 1
        elif a.status_marker and a.status_marker not in body:
            errors.append(f"{where}: no cluster status ('{a.status_marker}')")
        if not re.search(r"^SEQ +TIME \(UTC\) +NODE +SEVERITY +TYPE +SUBJECT +DETAIL$", body, re.M):
            errors.append(f"{where}: no table header")
        if a.rcpt and sorted(meta["rcpt_tos"]) != sorted(a.rcpt):
            errors.append(f"{where}: envelope recipients {meta['rcpt_tos']}")
        if a.tls and not meta["tls"]:
            errors.append(f"{where}: not sent under STARTTLS")
        if a.auth and meta["auth"] != a.auth:
            errors.append(f"{where}: AUTH as {meta['auth']}, expected {a.auth}")

    count = len(names)
    if a.count is not None and count != a.count:
        errors.append(f"{count} mails, expected {a.count}")
    if a.min is not None and count < a.min:
        errors.append(f"{count} mails, expected at least {a.min}")
    if a.max is not None and count > a.max:
        errors.append(f"{count} mails, expected at most {a.max}")
    if no_status != a.no_status:
        errors.append(f"{no_status} mails without the cluster status, expected {a.no_status}")
    dups = sorted({i for i in ids if ids.count(i) > 1})
    if dups:
        errors.append(f"Message-IDs received twice: {dups}")
    if a.seqs is not None:
        want = seq_set(a.seqs)
        missing = sorted(set(want) - set(seqs))
        extra = sorted(set(seqs) - set(want))
        twice = sorted({s for s in seqs if seqs.count(s) > 1})
        if missing:
            errors.append(f"events lost: {missing[:20]}{' ...' if len(missing) > 20 else ''}")
        if extra:
            errors.append(f"unexpected events: {extra[:20]}")
        if twice:
            errors.append(f"events listed twice: {twice[:20]}")
    print(f"mailcheck: {count} mails, {len(seqs)} events listed, "
          f"{len(set(ids))} distinct Message-IDs")
    for e in errors:
        print(f"mailcheck: {e}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
