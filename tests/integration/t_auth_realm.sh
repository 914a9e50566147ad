# t_auth_realm: DIGEST-MD5 answers with the authinfo R: realm, whatever
# realm the server offers.  The smarthost is a real Postfix whose Cyrus SASL
# offers realm smarthost.test (smtpd_sasl_local_domain) while the user
# exists in sasldb2 only as carol@other.realm.test -- the sendmail 8.17
# smarthost of the bug report.  With "R:other.realm.test" the message must
# arrive as carol@other.realm.test; without R: the server's realm is used,
# Postfix answers 535 and the message is deferred (today's behaviour).
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/postfix.sh"
. "$TOP/tests/integration/relayq.sh"

SERVER_REALM=smarthost.test
USER_REALM=other.realm.test
CAROL_PASS=Carol-realm-pw9
add_secret "$CAROL_PASS"

PF=$T/pf; PORT=$(free_port)
postfix_start "$PF" "$PORT" authtls || { not_ok "postfix starts"; finish; }
at_exit "postfix_stop $PF"
check "carol made in sasldb2, realm $USER_REALM only" \
	postfix_add_realm_user "$PF" carol "$CAROL_PASS" "$USER_REALM"
check "Postfix's Cyrus SASL offers realm $SERVER_REALM" \
	postfix_set "$PF" "smtpd_sasl_local_domain=$SERVER_REALM"

# digest_challenge: the server's first DIGEST-MD5 challenge, decoded (a
# client that opens STARTTLS, asks for AUTH DIGEST-MD5 and cancels it).
digest_challenge() {
	{
		sleep 0.5; printf 'EHLO probe.relayq.test\r\n'
		sleep 0.5; printf 'AUTH DIGEST-MD5\r\n'
		sleep 0.5; printf '*\r\n'
		sleep 0.3; printf 'QUIT\r\n'
	} | timeout 15 openssl s_client -quiet -starttls smtp -servername localhost \
		-connect "127.0.0.1:$PORT" -CAfile "$(postfix_ca "$PF")" 2>/dev/null |
		tr -d '\r' | sed -n 's/^334 //p' | head -n 1 | base64 -d
}
for _try in 1 2 3; do	# a loaded machine may miss the sleeps
	digest_challenge > "$T/challenge.txt"
	[ -s "$T/challenge.txt" ] && break
done
assert_grep "server challenge offers realm=\"$SERVER_REALM\"" \
	"realm=\"$SERVER_REALM\"" "$T/challenge.txt"
assert_no_grep "server challenge does not offer $USER_REALM" "$USER_REALM" "$T/challenge.txt"

n=0
# realm_case AUTHINFO-ITEMS: a fresh relayq (STARTTLS to localhost) whose
# authinfo entry for localhost holds AUTHINFO-ITEMS.
realm_case() {
	n=$((n + 1)); RQ=$T/rq$n
	mkdir -p "$RQ"
	printf 'AuthInfo:localhost %s\n' "$1" > "$RQ/authinfo"
	chmod 600 "$RQ/authinfo"
	"$BUILD/relayq-makemap" hash "$RQ/authinfo" < "$RQ/authinfo"
	rq_setup "$RQ" "$PORT" "smarthost localhost:$PORT" "tls starttls" \
		"tls_ca $(postfix_ca "$PF")" "authinfo hash:$RQ/authinfo"
}
# send SUBJECT / stored_env SUBJECT: see relayq.sh and postfix.sh.
send() { rq_send_v "$RQ" "$1"; }
stored_env() { postfix_env_of "$PF" "$1"; }
CAROL="\"U:carol\" \"I:carol\" \"P:$CAROL_PASS\" \"M:DIGEST-MD5\""

# --- R: given: the answer names R:, Postfix finds carol@other.realm.test
realm_case "$CAROL \"R:$USER_REALM\""
send "realm from authinfo"
env=$(stored_env "realm from authinfo")
assert_eq "R:$USER_REALM: queue empty" 0 "$(rq_queued "$RQ")"
if [ -n "$env" ]; then
	ok "R:$USER_REALM: delivered"
	assert_eq "R:$USER_REALM: Postfix saw DIGEST-MD5" DIGEST-MD5 \
		"$(postfix_env "${env%.env}.eml" sasl_method)"
	assert_eq "R:$USER_REALM: Postfix saw sasl_username carol@$USER_REALM" \
		"carol@$USER_REALM" "$(postfix_env "${env%.env}.eml" sasl_username)"
else
	not_ok "R:$USER_REALM: delivered (nothing stored; mailq: $(rq "$RQ" -bp | tr '\n' ' '))"
fi
assert_grep "R:$USER_REALM: AUTH= log line" \
	"AUTH=client, relay=localhost \[127.0.0.1\], mech=DIGEST-MD5, bits=0" "$(rq_log "$RQ")"
assert_grep "R:$USER_REALM: -v shows AUTH redacted" "^>>> AUTH DIGEST-MD5" "$RQ/v.txt"

# --- no R: today's behaviour, the server's realm: 535, deferred
realm_case "$CAROL"
send "no realm"
assert_eq "no R:: message stays queued" 1 "$(rq_queued "$RQ")"
rq "$RQ" -bp > "$RQ/mailq"
assert_grep "no R:: mailq shows the 535" "AUTH DIGEST-MD5 .*failed: 535" "$RQ/mailq"
assert_grep "no R:: deferred, not failed" "stat=Deferred" "$(rq_log "$RQ")"
assert_no_grep "no R:: no MAIL sent" "^>>> MAIL" "$RQ/v.txt"
assert_grep "no R:: Postfix saw the failed AUTH" "DIGEST-MD5 authentication failed" "$PF/maillog"
assert_no_grep "no R:: nothing stored" "^Subject: no realm" "$(postfix_mails "$PF" | tail -n 1)"

finish
