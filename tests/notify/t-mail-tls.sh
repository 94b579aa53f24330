#!/usr/bin/env bash
# tests/notify/t-mail-tls.sh — STARTTLS and AUTH against a test server that
# requires both (a self-signed certificate made here with openssl): sent
# when the client trusts the certificate and knows the password; kept in
# the spool with a clear reason otherwise (untrusted certificate, a name
# that does not match, STARTTLS required but not offered, a wrong
# password, AUTH not attempted).
. "$(dirname "$0")/mail-lib.sh"
command -v openssl >/dev/null || skip "no openssl to make a certificate"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
	-addext subjectAltName=DNS:localhost -keyout "$T/key.pem" -out "$T/cert.pem" \
	>"$T/openssl.log" 2>&1 || fail "openssl: $(cat "$T/openssl.log")"
printf 'sEcret-1\n' >"$T/password"
chmod 600 "$T/password"
printf 'wrong\n' >"$T/wrong"

smtpd_start tls 0 --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" --require-starttls \
	--auth herd:sEcret-1
port=$(smtpd_port tls)
common=(--server "localhost:$port" --retry-min 60000 --timeout 5000)

try() { # NAME EXPECT-REGEX ARGS... : one test mail, its first attempt's outcome
	local name=$1 want=$2
	shift 2
	driver "$name" --spool "$T/spool-$name" "${common[@]}" --test --run 8 "$@"
	expect_match "$(head -n 1 "$T/$name")" "$want" "$name"
}

try required '^test: 0 delivered to 1 recipient via localhost:[0-9]+ \(TLS\)$' \
	--starttls required --ca "$T/cert.pem" --auth-user herd --password-file "$T/password"
try opportunistic '^test: 0 delivered .*\(TLS\)$' \
	--starttls opportunistic --auth-user herd --password-file "$T/password"
try no-verify '^test: 0 delivered .*\(TLS\)$' \
	--starttls required --no-verify --auth-user herd --password-file "$T/password"
expect_rc 0 "three mails, each under STARTTLS and AUTH" -- mailcheck tls --count 3 --tls --auth herd

try untrusted "^test: -11 not delivered .*certificate is not trusted: self-signed certificate$" \
	--starttls required --auth-user herd --password-file "$T/password"
expect_eq "$(spooled "$T/spool-untrusted")" 1 "an untrusted server: the mail stays spooled"
common=(--server "127.0.0.1:$port" --retry-min 60000 --timeout 5000)
try wrong-name "^test: -11 not delivered .*certificate is for localhost, not 127\.0\.0\.1:$port$" \
	--starttls required --ca "$T/cert.pem" --auth-user herd --password-file "$T/password"
common=(--server "localhost:$port" --retry-min 60000 --timeout 5000)
try bad-password "^test: -11 not delivered .*AUTH as herd refused: 535 " \
	--starttls required --ca "$T/cert.pem" --auth-user herd --password-file "$T/wrong"
try no-auth "^test: -11 not delivered .*MAIL FROM refused: 530 " \
	--starttls required --ca "$T/cert.pem"
try no-tls "^test: -11 not delivered .*530 .*STARTTLS" \
	--starttls off --auth-user herd --password-file "$T/password"
try no-password-file "^test: -11 not delivered .*cannot read the password file $T/none" \
	--starttls required --ca "$T/cert.pem" --auth-user herd --password-file "$T/none"

# A server without STARTTLS, and a client that requires it.
smtpd_start plain 0
port=$(smtpd_port plain)
common=(--server "localhost:$port" --retry-min 60000 --timeout 5000)
try not-offered "^test: -11 not delivered .*the server does not offer STARTTLS" --starttls required
try plain-ok '^test: 0 delivered to 1 recipient via localhost:[0-9]+$' --starttls opportunistic
expect_rc 0 "only the mails that should arrive did" -- mailcheck tls --count 3
