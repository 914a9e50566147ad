# t_tls_faults: hostile and broken servers on the trust path, played by
# faultd with real TLS.  Each case asserts what the server received (its
# transcript): a connection that fails a check carries no AUTH and no MAIL.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/relayq.sh"
. "$TOP/tests/integration/tlslib.sh"

C=$T/certs; mkdir -p "$C"
tls_make_ca "$C" && tls_make_cert "$C" good "DNS:localhost,IP:127.0.0.1" &&
	tls_make_cert "$C" wrong "DNS:wrong.example" &&
	tls_make_selfsigned "$C" self "DNS:localhost" || { not_ok "test certificates"; finish; }

n=0
# tls_case CERT FAULTD-FLAGS RULES... -- CONFIG-LINES...: faultd serving
# CERT (good, wrong, self) with the rules, and a relayq pointed at it.
tls_case() {
	n=$((n + 1)); F=$T/f$n; RQ=$T/rq$n; mkdir -p "$F"
	_cert=$1; _flags=$2; shift 2
	: > "$F/script"
	while [ $# -gt 0 ] && [ "$1" != -- ]; do echo "$1" >> "$F/script"; shift; done
	[ $# -gt 0 ] && shift
	PORT=$(free_port)
	# shellcheck disable=SC2086
	"$BUILD/faultd" -p "$PORT" -o "$F" -s "$F/script" -c "$C/$_cert.pem" -k "$C/$_cert.key" $_flags &
	at_exit "kill $!"
	wait_port "$PORT"
	rq_setup "$RQ" "$PORT" "smarthost localhost:$PORT" "tls_ca $C/ca.pem" \
		"timeout_greeting 5s" "timeout_helo 5s" "$@"
}
# with_authinfo: an authinfo map for localhost in $RQ, and its config line.
with_authinfo() {
	printf 'AuthInfo:localhost "U:testuser" "P:testpass" "M:%s"\n' "${1:-PLAIN}" > "$RQ/authinfo"
	chmod 600 "$RQ/authinfo"
	"$BUILD/relayq-makemap" hash "$RQ/authinfo" < "$RQ/authinfo"
	echo "authinfo hash:$RQ/authinfo" >> "$RQ/relayq.conf"
}
send() {
	printf 'Subject: %s\n\nbody\n' "$1" | rq "$RQ" -i bob@example.org
	"$BUILD/relayqd" -C "$RQ/relayq.conf" -q -v 2> "$RQ/v.txt"
}
stored() { ls "$F" | grep -c '^msg\.'; }
reason() { rq "$RQ" -bp > "$RQ/mailq"; assert_grep "$1" "$2" "$RQ/mailq"; }
nothing_sent() {
	assert_no_grep "$1: no AUTH reached the server" "^C: AUTH" "$F/transcript.log"
	assert_no_grep "$1: no MAIL reached the server" "^C: MAIL" "$F/transcript.log"
	assert_eq "$1: message stays queued" 1 "$(rq_queued "$RQ")"
}

# --- the good case first, so the negatives below mean something
tls_case good "" starttls "auth PLAIN LOGIN" -- "tls starttls"
with_authinfo
send "good"
assert_eq "valid certificate: delivered" 1 "$(stored)"
assert_grep "valid certificate: AUTH PLAIN inside TLS" "^C: AUTH PLAIN" "$F/transcript.log"
assert_grep "valid certificate: EHLO again after TLS" "^--- tls" "$F/transcript.log"
assert_eq "valid certificate: two EHLOs" 2 "$(grep -c '^C: EHLO' "$F/transcript.log")"

# --- server without STARTTLS, or a man in the middle that strips it
tls_case good "" "auth PLAIN LOGIN" -- "tls starttls"
with_authinfo
send "stripped"
nothing_sent "STARTTLS not offered"
reason "STARTTLS not offered: reason in mailq" "does not offer STARTTLS"
assert_no_grep "STARTTLS not offered: not even QUIT" "^C: QUIT" "$F/transcript.log"

# --- STARTTLS refused
tls_case good "" starttls "starttls-reply 454 4.7.0 TLS not available" -- "tls starttls"
send "refused"
nothing_sent "STARTTLS answered 454"
reason "STARTTLS answered 454: reason in mailq" "refused STARTTLS: 454 4.7.0"

# --- plaintext injected after the 220 (CVE-2011-0411): ignored
tls_case good "" starttls "starttls-inject 554 5.7.1 injected" -- "tls starttls"
send "injected"
assert_eq "injected bytes after 220: delivered anyway" 1 "$(stored)"
assert_grep "injected bytes after 220: discarded and logged" "bytes after its STARTTLS reply; discarded" "$(rq_log "$RQ")"
assert_no_grep "injected bytes after 220: never read as a reply" "554 5.7.1 injected" "$RQ/v.txt"

# --- certificate for another name
tls_case wrong "" starttls "auth PLAIN" -- "tls starttls"
with_authinfo
send "wrong name"
nothing_sent "certificate for wrong.example"
reason "wrong name: reason in mailq" "certificate not trusted: [Hh]ostname mismatch"
assert_eq "wrong name: no EHLO over the failed TLS" 1 "$(grep -c '^C: EHLO' "$F/transcript.log")"

# --- self-signed, without and with a pin
tls_case self "" starttls "auth PLAIN" -- "tls starttls"
with_authinfo
send "self-signed"
nothing_sent "self-signed without pin"
reason "self-signed without pin: reason in mailq" "certificate not trusted: self.signed certificate"
pin=$(tls_fingerprint "$C/self.pem")
echo "tls_fingerprint $pin" >> "$RQ/relayq.conf"
"$BUILD/relayqd" -C "$RQ/relayq.conf" -q -v 2> "$RQ/v.txt"
assert_eq "self-signed with pin: delivered" 1 "$(stored)"
assert_grep "self-signed with pin: verify=TRUSTED" "STARTTLS=client, .*verify=TRUSTED" "$(rq_log "$RQ")"
tls_case good "" starttls -- "tls starttls" "tls_fingerprint $pin"
send "pin mismatch"
nothing_sent "pin of another certificate"
reason "pin mismatch: reason in mailq" "does not match tls_fingerprint"

# --- only PLAIN offered, no TLS at all: the password never goes in clear
tls_case good "" "auth PLAIN LOGIN" -- "tls none"
with_authinfo "PLAIN LOGIN"
send "plain only"
nothing_sent "only PLAIN/LOGIN without TLS"
reason "only PLAIN/LOGIN without TLS: reason in mailq" "no usable mechanism.*mechanisms that send the password need TLS"

# --- AUTH offered only after TLS, implicit TLS (port 465 style)
tls_case good "-S" "auth PLAIN" "auth-tls-only" -- "tls smtps"
with_authinfo
send "smtps"
assert_eq "implicit TLS: delivered" 1 "$(stored)"
assert_grep "implicit TLS: AUTH inside TLS" "^C: AUTH PLAIN" "$F/transcript.log"
assert_grep "implicit TLS: log line" "STARTTLS=client, .*verify=OK" "$(rq_log "$RQ")"

# --- implicit TLS expected, server speaks plaintext
tls_case good "" -- "tls smtps" "timeout_helo 3s"
send "plaintext 465"
nothing_sent "plaintext server on the smtps port"
reason "plaintext server on the smtps port: reason in mailq" "TLS handshake with"

# --- opportunistic (default on port 25): a bad certificate is logged, mail goes
tls_case wrong "" starttls --
send "opportunistic"
assert_eq "opportunistic TLS, wrong name: delivered" 1 "$(stored)"
assert_grep "opportunistic TLS, wrong name: verify=FAIL logged" "STARTTLS=client, .*verify=FAIL" "$(rq_log "$RQ")"

# --- no tls_ca: the system store, loaded at the first handshake.
# system_store FILE: OpenSSL's default paths replaced by FILE
# (SSL_CERT_FILE), one message, one queue run.
system_store() {
	tls_case good "" starttls -- "tls starttls"
	sed -i '/^tls_ca /d' "$RQ/relayq.conf"
	printf 'Subject: system store\n\nbody\n' | rq "$RQ" -i bob@example.org
	SSL_CERT_FILE=$1 SSL_CERT_DIR=$T/none "$BUILD/relayqd" -C "$RQ/relayq.conf" -q 2> "$RQ/v.txt"
}
system_store "$C/ca.pem"
assert_eq "system store holding the CA: delivered" 1 "$(stored)"
assert_grep "system store holding the CA: verify=OK" "STARTTLS=client, .*verify=OK" "$(rq_log "$RQ")"
system_store "$C/self.pem"
nothing_sent "system store without the CA"
reason "system store without the CA: reason in mailq" "certificate not trusted"

# --- AUTH rejected with 535: deferred
tls_case good "" starttls "auth PLAIN LOGIN" "authreply 535 5.7.8 bad credentials" -- "tls starttls"
with_authinfo
send "535"
assert_eq "AUTH 535: one AUTH attempt" 1 "$(grep -c '^C: AUTH' "$F/transcript.log")"
assert_no_grep "AUTH 535: no MAIL" "^C: MAIL" "$F/transcript.log"
assert_eq "AUTH 535: deferred, not bounced" 1 "$(rq_queued "$RQ")"
reason "AUTH 535: reason in mailq" "failed: 535 5.7.8 bad credentials"

finish
